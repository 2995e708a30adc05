import { View } from 'react-native';

/**
 * A stand-in for expo-video (a native player): the tests check what the app asks of the player
 * (which source, with which headers, where to seek), not the decoding.
 */
import { videoTestControls, type FakePlayer } from './videoControls';

export { videoTestControls };

export function useVideoPlayer(source: unknown): FakePlayer {
  const last = videoTestControls.players.at(-1);
  if (last && JSON.stringify(last.source) === JSON.stringify(source)) return last;
  const player: FakePlayer = { source, currentTime: 0, play: jest.fn() };
  videoTestControls.players.push(player);
  return player;
}

export function VideoView({ testID }: { testID?: string }) {
  return <View testID={testID} />;
}
