import { useQuery } from '@tanstack/react-query';
import { useVideoPlayer, VideoView, type VideoPlayer } from 'expo-video';
import { useEffect, useRef } from 'react';
import { ActivityIndicator, StyleSheet } from 'react-native';

import { useAuthedApi } from '@/features/auth/session';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { colors, radius } from '@/ui/theme';

import type { Seek } from './Player';

interface Props {
  jobId: string;
  aspectRatio: number;
  seek: Seek | null;
}

/**
 * Browsers: a <video> cannot send a bearer token, so the clip is fetched with it and played from
 * an object URL (revoked when the player leaves the screen).
 */
export function Player({ jobId, aspectRatio, seek }: Props) {
  const { api, enabled } = useAuthedApi();
  const video = useQuery({
    queryKey: ['video', 'blob', jobId],
    enabled,
    queryFn: async () => {
      const blob = await api.fetchVideo(jobId, true);
      return blob ? URL.createObjectURL(blob) : null;
    },
    retry: false,
    staleTime: Infinity,
    gcTime: 0,
  });
  const objectUrl = video.data ?? null;
  useEffect(() => () => {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  }, [objectUrl]);
  if (video.error) return <ErrorNotice error={video.error} />;
  if (!objectUrl) return <ActivityIndicator color={colors.accent} />;
  return <Surface source={objectUrl} aspectRatio={aspectRatio} seek={seek} />;
}

/**
 * Made once the object URL exists: expo-video's web player starts playing whenever its source is
 * replaced, so the player is created with its source instead.
 */
function Surface({ source, aspectRatio, seek }: { source: string; aspectRatio: number; seek: Seek | null }) {
  const player = useVideoPlayer(source);
  const played = useRef(false);
  useEffect(() => {
    if (!seek) return;
    seekAndPlay(player, seek.timeS, !played.current);
    played.current = true;
  }, [seek, player]);
  return (
    <VideoView
      player={player}
      style={[styles.video, { aspectRatio }]}
      nativeControls
      contentFit="contain"
      testID="video-player"
    />
  );
}

const styles = StyleSheet.create({
  video: { width: '100%', borderRadius: radius.md, backgroundColor: '#000' },
});

/**
 * The player is an external object (the native player), moved from outside React's state. A tap
 * on a scene plays without sound: the person may be anywhere, and sound they did not ask for is
 * worse than none. Once they turn the sound on with the player's controls, it stays theirs.
 */
function seekAndPlay(player: VideoPlayer, timeS: number, first: boolean): void {
  if (first) player.muted = true;
  player.currentTime = timeS;
  player.play();
}
