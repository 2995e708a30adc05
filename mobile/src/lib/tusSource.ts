import { File, FileMode, type FileHandle } from 'expo-file-system';
import type { FileReader, FileSource, SliceResult } from 'tus-js-client';

import type { PickedVideo } from './upload.types';

/**
 * The bytes of one chunk: React Native's XMLHttpRequest sends a typed array as the body, and
 * tus-js-client measures a slice by its `size`, as it does a Blob's.
 */
class ChunkBytes extends Uint8Array {
  get size(): number {
    return this.length;
  }
}

/** Reads the picked file from disk a chunk at a time, so a 1 GB video never sits in memory. */
class HandleSource implements FileSource {
  readonly size: number;
  private readonly handle: FileHandle;

  constructor(handle: FileHandle) {
    this.handle = handle;
    this.size = handle.size ?? 0;
  }

  async slice(start: number, end: number): Promise<SliceResult> {
    this.handle.offset = start;
    const bytes = await this.handle.readBytes(Math.min(end, this.size) - start);
    return { value: new ChunkBytes(bytes.buffer, bytes.byteOffset, bytes.length), done: start + bytes.length >= this.size };
  }

  close(): void {
    this.handle.close();
  }
}

const expoFileReader: FileReader = {
  openFile: async (input: { uri: string }) => new HandleSource(new File(input.uri).open(FileMode.ReadOnly)),
};

/** What tus-js-client is given on phones: the file's URI, read by expo-file-system. */
export function tusSource(video: PickedVideo): { input: { uri: string }; fileReader?: FileReader } {
  return { input: { uri: video.uri }, fileReader: expoFileReader };
}

/** The same picked file gives the same key: on phones its URI in the app's cache. */
export function sourceKey(video: PickedVideo): string {
  return `${video.uri}::${video.sizeBytes ?? ''}`;
}
