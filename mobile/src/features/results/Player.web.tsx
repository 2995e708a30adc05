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

/** The link is good for an hour; a page left open longer asks for a new one before it is used. */
const LINK_FRESH_MS = 50 * 60 * 1000;

/**
 * Browsers: a <video> cannot send a bearer token, so the app asks for a signed link to this job's
 * video and gives the player that URL: it streams with Range requests and starts playing within
 * a second, instead of downloading the whole clip first. The link's answer also says whether the
 * server still keeps the video (a 410 is said in words).
 */
export function Player({ jobId, aspectRatio, seek }: Props) {
  const { api, enabled } = useAuthedApi();
  const link = useQuery({
    queryKey: ['video', 'link', jobId],
    enabled,
    queryFn: async () => {
      await api.fetchVideo(jobId);
      return api.videoLink(jobId);
    },
    staleTime: LINK_FRESH_MS,
  });
  if (link.error) return <ErrorNotice error={link.error} />;
  if (!link.data) return <ActivityIndicator color={colors.accent} />;
  return <Surface source={link.data} aspectRatio={aspectRatio} seek={seek} />;
}

/**
 * Made once the URL exists: expo-video's web player starts playing whenever its source is
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
