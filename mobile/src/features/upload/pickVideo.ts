import * as ImagePicker from 'expo-image-picker';
import { Platform } from 'react-native';

import type { PickedVideo } from '@/lib/upload.types';

/** expo-image-picker reports video duration in ms on phones but in seconds on the web. */
function durationSeconds(duration: number | null | undefined): number | null {
  if (duration === null || duration === undefined || !Number.isFinite(duration) || duration <= 0) return null;
  return Platform.OS === 'web' ? duration : duration / 1000;
}

function nameFromUri(uri: string): string {
  const last = uri.split(/[/?#]/).filter(Boolean).pop();
  return last && last.includes('.') ? decodeURIComponent(last) : 'video.mp4';
}

export function toPickedVideo(asset: ImagePicker.ImagePickerAsset): PickedVideo {
  return {
    uri: asset.uri,
    name: asset.fileName || nameFromUri(asset.uri),
    sizeBytes: asset.fileSize ?? asset.file?.size ?? null,
    durationS: durationSeconds(asset.duration),
    mimeType: asset.mimeType || 'video/mp4',
    file: asset.file,
  };
}

/** Opens the system library on videos; null when the user backs out. */
export async function pickVideo(): Promise<PickedVideo | null> {
  const result = await ImagePicker.launchImageLibraryAsync({
    mediaTypes: ['videos'],
    allowsEditing: false,
    // quality 1 with the default passthrough preset: the original file, not a re-encoded copy.
    quality: 1,
  });
  const asset = result.canceled ? undefined : result.assets[0];
  return asset ? toPickedVideo(asset) : null;
}

/** Several videos at once, for a batch; an empty list when the user backs out. */
export async function pickVideos(): Promise<PickedVideo[]> {
  const result = await ImagePicker.launchImageLibraryAsync({
    mediaTypes: ['videos'],
    allowsEditing: false,
    allowsMultipleSelection: true,
    selectionLimit: 10,
    quality: 1,
  });
  return result.canceled ? [] : result.assets.map(toPickedVideo);
}
