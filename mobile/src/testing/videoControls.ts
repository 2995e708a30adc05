/** What the fake player (mockVideo.tsx) recorded; no React Native import, so resetting it is cheap. */
export interface FakePlayer {
  source: unknown;
  currentTime: number;
  play: jest.Mock;
  muted?: boolean;
}

export const videoTestControls = { players: [] as FakePlayer[] };
