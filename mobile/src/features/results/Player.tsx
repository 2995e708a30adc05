import { useQuery } from '@tanstack/react-query';
import { useVideoPlayer, VideoView, type VideoPlayer, type VideoSource } from 'expo-video';
import { useEffect, useRef } from 'react';
import { ActivityIndicator, StyleSheet } from 'react-native';

import { useAuthedApi } from '@/features/auth/session';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { colors, radius } from '@/ui/theme';

export interface Seek {
  timeS: number;
  /** Bumped on every tap, so tapping the same scene twice seeks twice. */
  tap: number;
}

interface Props {
  jobId: string;
  aspectRatio: number;
  seek: Seek | null;
}

/**
 * The uploaded clip, streamed from the server with the bearer token (expo-video sends the headers;
 * the server answers Range requests). Checked first, so a removed source is said in words.
 */
export function Player({ jobId, aspectRatio, seek }: Props) {
  const { api, enabled } = useAuthedApi();
  const kept = useQuery({
    queryKey: ['video', 'available', jobId],
    enabled,
    queryFn: async () => {
      await api.fetchVideo(jobId);
      return true;
    },
    retry: false,
  });
  if (kept.error) return <ErrorNotice error={kept.error} />;
  if (!kept.data) return <ActivityIndicator color={colors.accent} />;
  return (
    <Surface
      source={{ uri: api.videoUrl(jobId), headers: api.authHeaders() }}
      aspectRatio={aspectRatio}
      seek={seek}
    />
  );
}

/** Made once the source is known: a player created with its source does not start by itself. */
function Surface({ source, aspectRatio, seek }: { source: VideoSource; aspectRatio: number; seek: Seek | null }) {
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
      accessibilityLabel="The uploaded video"
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
