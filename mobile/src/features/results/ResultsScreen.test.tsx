import { act, fireEvent, screen, waitFor, within } from 'expo-router/testing-library';
import { Share } from 'react-native';

import type { AnalysisResult } from '@/lib/types';
import { installFetch } from '@/testing/fetchMock';
import { completedJob, result } from '@/testing/fixtures';
import { videoTestControls } from '@/testing/videoControls';
import { renderApp, signInAs } from '@/testing/renderApp';

/** A result of analyzer 2.0: scene kinds, cues, loudness, shake and the new warnings. */
function resultV2(jobId: string): AnalysisResult {
  const base = result(jobId);
  return {
    ...base,
    analyzer_version: '2.0',
    audio: {
      codec: 'aac',
      channels: 2,
      sample_rate: 48000,
      rms_dbfs: -30,
      silent: false,
      loudness: { integrated_lufs: -31.4, range_lu: 6.2, true_peak_dbtp: 0.3, clipped_samples: 1200 },
    },
    scenes: [
      { ...base.scenes[0]!, kind: 'cut' },
      { ...base.scenes[1]!, kind: 'dissolve', transition_start_s: 19.5, transition_end_s: 20.5 },
    ],
    cues: [
      { kind: 'silence', start_s: 30, end_s: 35 },
      { kind: 'black', start_s: 0, end_s: 1.5 },
    ],
    stability: { interval_s: 1, shake: [0.1, 0.6, 0.2, 0.1] },
    highlights: [
      { start_s: 77, end_s: 80, score: 0.9 },
      { start_s: 53, end_s: 56, score: 0.5 },
    ],
    quality: {
      brightness_mean: 0.4,
      sharpness: 90,
      warnings: [
        { code: 'too_quiet', message: '' },
        { code: 'clipping', message: '' },
        { code: 'shaky', message: 'The camera shakes a lot in places.' },
      ],
    },
  };
}

function serve(body: ReturnType<typeof completedJob>, video: { status: number; body?: unknown } = { status: 206 }) {
  return installFetch({
    'GET /api/results/job/job-1': () => ({ status: 200, body }),
    'GET /api/jobs/job-1/video': () => video,
  });
}

test('a result of analyzer 1.0 still renders, without the new parts', async () => {
  serve(completedJob('job-1'));
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByText('Most of the clip is too dark to see.')).toBeTruthy();
  expect(screen.getByTestId('motion-chart')).toBeTruthy();
  expect(screen.queryByTestId('cue-timeline')).toBeNull();
  expect(screen.queryByTestId('loudness')).toBeNull();
  expect(screen.queryByTestId('scene-kind-1')).toBeNull();
});

test('analyzer 2.0: scene kinds, cues under the chart, loudness and shake, warnings as sentences', async () => {
  serve({ ...completedJob('job-1'), result: resultV2('job-1') });
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByTestId('scene-kind-1')).toHaveTextContent('Dissolve 0:20–0:21');
  expect(screen.queryByTestId('scene-kind-0')).toBeNull();
  const cues = screen.getAllByTestId('cue-item').map((c) => c.props.children.join(''));
  expect(cues).toEqual(['Black picture 0:00–0:02', 'Silence 0:30–0:35']);
  const loudness = screen.getByTestId('loudness');
  // Each figure says what it means: too quiet for any platform, a peak that can distort.
  expect(within(loudness).getByText('Integrated: -31.4 LUFS — too quiet')).toBeTruthy();
  expect(within(loudness).getByText('Range: 6.2 LU — natural')).toBeTruthy();
  expect(within(loudness).getByText('True peak: 0.3 dBTP — too high: may distort')).toBeTruthy();
  expect(within(loudness).getByText('1,200 clipped samples.')).toBeTruthy();
  expect(within(screen.getByTestId('shake')).getByText(/Average 0\.25, worst second 0\.60/)).toBeTruthy();
  expect(screen.getByText('The sound is too quiet: it will be hard to hear without turning the volume up.')).toBeTruthy();
  expect(screen.getByText('The sound is clipped: the loudest parts are distorted.')).toBeTruthy();
  expect(screen.getByText('The camera shakes a lot in places.')).toBeTruthy();
  // Section titles are headings for screen readers; the chart says where the motion is.
  // Level 2 for the cards' titles, 3 for the sections inside a card (not every heading level 1).
  for (const name of ['Video', 'Summary', 'Scenes', 'Motion', 'Highlights', 'Quality']) {
    expect(screen.getByRole('heading', { name }).props['aria-level']).toBe(2);
  }
  for (const name of ['Loudness', 'Camera shake', 'Technical cues']) {
    expect(screen.getByRole('heading', { name }).props['aria-level']).toBe(3);
  }
  expect(screen.getByTestId('motion-chart').props.accessibilityLabel).toBe(
    'Motion over 0:04; highlights from 0:53 to 0:56, 1:17 to 1:20; the single strongest moment at 0:02.',
  );
});

test('highlights in time order, one m:ss format, and a tap plays from there', async () => {
  serve({ ...completedJob('job-1'), result: resultV2('job-1') });
  await signInAs('tok-5');
  renderApp('/results/job-1');

  const rows = await screen.findAllByTestId('highlight');
  expect(rows.map((r) => within(r).getByText(/–/).props.children.join(''))).toEqual(['0:53 – 0:56', '1:17 – 1:20']);
  expect(await screen.findByTestId('video-player')).toBeTruthy();
  const player = videoTestControls.players.at(-1)!;
  expect(player.source).toEqual({
    uri: 'https://clipscope.test/api/jobs/job-1/video',
    headers: { Authorization: 'Bearer tok-5' },
  });

  // Each row says its strength in words too, not only as a bar.
  expect(within(rows[1]!).getByText('100 %')).toBeTruthy();
  expect(rows[0]!.props.accessibilityLabel).toBe('Play the highlight from 0:53 to 0:56, strength 56 % of the strongest');

  fireEvent.press(rows[1]!);
  expect(player.currentTime).toBe(77);
  expect(player.play).toHaveBeenCalledTimes(1);
  // A tap plays without sound (the person did not ask for it); the sound button stays theirs.
  expect(player.muted).toBe(true);
  player.muted = false;
  fireEvent.press(screen.getByTestId('scene-1'));
  expect(player.currentTime).toBe(20);
  expect(player.muted).toBe(false);
});

test('a still clip lists no highlights beside its frozen picture, and the chart says so', async () => {
  const still = resultV2('job-1');
  serve({
    ...completedJob('job-1'),
    result: {
      ...still,
      motion: { interval_s: 1, values: [0, 0, 0, 0] },
      highlights: [
        { start_s: 0, end_s: 1, score: 0 },
        { start_s: 1, end_s: 2, score: 0 },
      ],
      cues: [{ kind: 'freeze', start_s: 0, end_s: 4 }],
    },
  });
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByText('Nothing stands out: the motion is even throughout.')).toBeTruthy();
  expect(screen.queryAllByTestId('highlight')).toHaveLength(0);
  expect(screen.getByTestId('motion-chart').props.accessibilityLabel).toBe(
    'Motion over 0:04; no motion: the picture stays still.',
  );
});

test('a still clip with sensor-noise motion lists no highlights beside its frozen picture', async () => {
  // A tripod shot: a few thousandths of change per second, never quite zero, and a picture held
  // for the last six seconds. The analyzer still names its three "strongest" seconds.
  serve({
    ...completedJob('job-1'),
    result: {
      ...resultV2('job-1'),
      motion: { interval_s: 1, values: [0.003, 0.004, 0.002, 0.001, 0.002, 0.001, 0.002, 0.001] },
      highlights: [
        { start_s: 0, end_s: 2, score: 0.0035 },
        { start_s: 2, end_s: 4, score: 0.0015 },
        { start_s: 4, end_s: 6, score: 0.0015 },
      ],
      cues: [{ kind: 'freeze', start_s: 2, end_s: 8 }],
    },
  });
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByText('Nothing stands out: the motion is even throughout.')).toBeTruthy();
  expect(screen.queryAllByTestId('highlight')).toHaveLength(0);
});

test('a source the server no longer keeps is said in words', async () => {
  serve(completedJob('job-1'), {
    status: 410,
    body: { error: { code: 'source_expired', message: 'The video of this job is no longer kept on the server; upload it again.' } },
  });
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByText('Video no longer kept')).toBeTruthy();
  expect(screen.getByText('The video of this job is no longer kept on the server; upload it again.')).toBeTruthy();
  expect(screen.queryByTestId('video-player')).toBeNull();
});

test('share opens the system sheet with a short summary', async () => {
  const share = jest.spyOn(Share, 'share').mockResolvedValue({ action: 'sharedAction', activityType: undefined });
  serve({ ...completedJob('job-1'), result: resultV2('job-1') });
  await signInAs();
  renderApp('/results/job-1');

  fireEvent.press(await screen.findByTestId('share-results'));
  expect(share).toHaveBeenCalledWith({
    title: 'beach.mov',
    message: [
      'beach.mov: 0:42, 1920×1080, 2 scenes.',
      'Highlights at 0:53, 1:17.',
      'The sound is too quiet: it will be hard to hear without turning the volume up.',
      'The sound is clipped: the loudest parts are distorted.',
      'The camera shakes a lot in places.',
      'Analysed by Clipscope.',
    ].join('\n'),
  });
});

test('an unknown job has a way back', async () => {
  installFetch({
    'GET /api/results/job/nope': () => ({ status: 404, body: { error: { code: 'not_found', message: 'No job with that id was found.' } } }),
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [], next_cursor: null } }),
  });
  await signInAs();
  renderApp('/results/nope');

  expect(await screen.findByTestId('unknown-job')).toBeTruthy();
  expect(screen.queryByText('Try again')).toBeNull();
  fireEvent.press(screen.getByTestId('go-history'));
  expect(await screen.findByTestId('history-screen')).toBeTruthy();
  expect(screen).toHavePathname('/history');
});

test('pull to refresh asks the server again', async () => {
  const net = serve(completedJob('job-1'));
  await signInAs();
  renderApp('/results/job-1');
  await screen.findByTestId('summary');
  const before = net.count('GET', '/api/results/job/job-1');

  await act(async () => {
    screen.getByTestId('results-screen').props.refreshControl.props.onRefresh();
  });
  await waitFor(() => expect(net.count('GET', '/api/results/job/job-1')).toBe(before + 1));
});
