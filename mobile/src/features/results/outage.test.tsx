import { act, fireEvent, screen } from 'expo-router/testing-library';

import { installFetch } from '@/testing/fetchMock';
import { completedJob, job } from '@/testing/fixtures';
import { renderApp, signInAs } from '@/testing/renderApp';

async function advance(ms: number) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

/** Everything the page shows at a moment, to tell a steady page from a flickering one. */
function looks(): string {
  if (screen.queryByTestId('summary')) return 'results';
  if (screen.queryByTestId('error-notice')) return `notice:${screen.getByTestId('error-title').props.children}`;
  return 'spinner';
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a results link opened while the server is down says so at once, holds still, and loads by itself when it is back', async () => {
  let up = false;
  const net = installFetch({
    'GET /api/results/job/job-1': () => (up ? { status: 200, body: completedJob('job-1') } : 'offline'),
    'GET /api/jobs/job-1/video': () => ({ status: 206 }),
  });
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByText('Offline')).toBeTruthy();
  // For a minute of outage the page shows the same notice every 250 ms: no spinner in between.
  const seen = new Set<string>();
  for (let i = 0; i < 240; i += 1) {
    await advance(250);
    seen.add(looks());
  }
  expect([...seen]).toEqual(['notice:Offline']);
  const tries = net.count('GET', '/api/results/job/job-1');
  expect(tries).toBeGreaterThan(10);
  expect(tries).toBeLessThan(20); // backs off to one try every 5 s

  up = true;
  await advance(5000);
  expect(await screen.findByTestId('summary')).toBeTruthy();
  expect(screen.queryByTestId('error-notice')).toBeNull();
});

test('a busy server (503 overloaded, Retry-After) is a calm notice and is asked again when it said', async () => {
  let busy = true;
  const net = installFetch({
    'GET /api/results/job/job-1': () =>
      busy
        ? {
            status: 503,
            headers: { 'Retry-After': '7' },
            body: { error: { code: 'overloaded', message: 'The server is busy; try again in a few seconds.' } },
          }
        : { status: 200, body: completedJob('job-1') },
    'GET /api/jobs/job-1/video': () => ({ status: 206 }),
  });
  await signInAs();
  renderApp('/results/job-1');

  expect(await screen.findByText('Server busy')).toBeTruthy();
  expect(screen.getByText('The server is busy with other videos. The app waits a moment and carries on by itself.')).toBeTruthy();
  const first = net.count('GET', '/api/results/job/job-1');
  await advance(6900);
  expect(net.count('GET', '/api/results/job/job-1')).toBe(first);
  busy = false;
  await advance(200);
  expect(await screen.findByTestId('summary')).toBeTruthy();
});

test('a job being polled keeps its last state during an outage and carries on when the server is back', async () => {
  let up = true;
  let progress = 40;
  installFetch({
    'GET /api/results/job/job-1': () => (up ? { status: 200, body: job({ progress }) } : 'offline'),
  });
  await signInAs();
  renderApp('/jobs/job-1');

  expect(await screen.findByText('40 %')).toBeTruthy();
  up = false;
  await advance(2000);
  expect(await screen.findByText('Offline')).toBeTruthy();
  for (let i = 0; i < 40; i += 1) {
    await advance(500);
    expect(screen.getByText('40 %')).toBeTruthy();
    expect(screen.getByText('Offline')).toBeTruthy();
  }
  up = true;
  progress = 55;
  await advance(5000);
  expect(await screen.findByText('55 %')).toBeTruthy();
  expect(screen.queryByText('Offline')).toBeNull();
});

test('job polls send If-None-Match and a 304 keeps the job on screen', async () => {
  const seen: (string | undefined)[] = [];
  installFetch({
    'GET /api/results/job/job-1': ({ headers }) => {
      seen.push(headers['If-None-Match']);
      if (headers['If-None-Match'] === '"v1"') return { status: 304, headers: { ETag: '"v1"' } };
      return { status: 200, body: job({ progress: 40 }), headers: { ETag: '"v1"' } };
    },
  });
  await signInAs();
  renderApp('/jobs/job-1');

  expect(await screen.findByText('40 %')).toBeTruthy();
  await advance(2000);
  await advance(2000);
  expect(seen).toEqual([undefined, '"v1"', '"v1"']);
  expect(screen.getByText('40 %')).toBeTruthy();
  expect(screen.queryByTestId('error-notice')).toBeNull();
});

test('a results page opened from a link has a way out to the videos', async () => {
  installFetch({
    'GET /api/results/job/job-1': () => ({ status: 200, body: completedJob('job-1') }),
    'GET /api/jobs/job-1/video': () => ({ status: 206 }),
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [completedJob('job-1')], next_cursor: null } }),
  });
  await signInAs();
  renderApp('/results/job-1');

  fireEvent.press(await screen.findByTestId('header-home'));
  expect(await screen.findByTestId('history-screen')).toBeTruthy();
  expect(screen).toHavePathname('/history');
});
