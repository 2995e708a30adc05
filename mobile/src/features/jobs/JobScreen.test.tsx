import { act, fireEvent, screen } from 'expo-router/testing-library';

import type { Job } from '@/lib/types';
import { installFetch } from '@/testing/fetchMock';
import { job } from '@/testing/fixtures';
import { renderApp, signInAs } from '@/testing/renderApp';

const JOB_PATH = '/api/results/job/job-1';

async function advance(ms: number) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a failed job says why once, never that it continues, and can run again', async () => {
  let current: Job = job({ status: 'failed', error: { code: 'worker_lost', message: 'The worker stopped too many times.' } });
  const net = installFetch({
    [`GET ${JOB_PATH}`]: () => ({ status: 200, body: current }),
    'POST /api/jobs/job-1/retry': () => {
      current = job({ status: 'queued', phase: 'queued', progress: 0, message: 'Waiting for a worker', attempts: 0 });
      return { status: 202, body: current };
    },
  });
  await signInAs();
  renderApp('/jobs/job-1');

  expect(await screen.findByText('The worker stopped too many times.')).toBeTruthy();
  expect(screen.getAllByText('The worker stopped too many times.')).toHaveLength(1);
  expect(screen.getByTestId('error-title')).toHaveTextContent('Server restarted too often');
  expect(screen.queryByText(/analysis continues/)).toBeNull();

  fireEvent.press(screen.getByTestId('retry-job'));
  expect(await screen.findByTestId('job-message')).toHaveTextContent('Waiting for a worker');
  expect(net.count('POST', '/api/jobs/job-1/retry')).toBe(1);
  expect(screen.getByText(/the analysis continues on the server/)).toBeTruthy();
});

test('a cancelled job says so, without the running footnote', async () => {
  installFetch({ [`GET ${JOB_PATH}`]: () => ({ status: 200, body: job({ status: 'cancelled', message: 'Cancelled' }) }) });
  await signInAs();
  renderApp('/jobs/job-1');
  expect(await screen.findByText('You cancelled this analysis.')).toBeTruthy();
  expect(screen.queryByText(/analysis continues/)).toBeNull();
  expect(screen.queryByText('Something went wrong')).toBeNull();
});

test('progress going back after a restart is said, with the attempt', async () => {
  const answers: Job[] = [
    job({ progress: 21, attempts: 1 }),
    job({ status: 'queued', phase: 'queued', progress: 0, attempts: 1, message: 'Waiting for a worker (the previous one stopped)' }),
    job({ progress: 2, attempts: 2, message: 'Reading the video' }),
  ];
  installFetch({ [`GET ${JOB_PATH}`]: () => ({ status: 200, body: answers.length > 1 ? answers.shift()! : answers[0]! }) });
  await signInAs();
  renderApp('/jobs/job-1');

  expect(await screen.findByText('21 %')).toBeTruthy();
  expect(screen.queryByTestId('job-restarted')).toBeNull();
  await advance(2000);
  expect(await screen.findByText('Restarted on the server: attempt 2.')).toBeTruthy();
  await advance(2000);
  expect(await screen.findByText('2 %')).toBeTruthy();
  expect(screen.getByText('Restarted on the server: attempt 2.')).toBeTruthy();
});

test('"Upload another video" goes back to the tabs instead of stacking a second copy', async () => {
  installFetch({
    [`GET ${JOB_PATH}`]: () => ({ status: 200, body: job({ status: 'cancelled' }) }),
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [], next_cursor: null } }),
  });
  await signInAs();
  renderApp('/');
  await screen.findByTestId('upload-screen');
  act(() => {
    jest.requireActual<typeof import('expo-router')>('expo-router').router.push('/jobs/job-1');
  });
  fireEvent.press(await screen.findByTestId('upload-another'));

  expect(await screen.findByTestId('upload-screen')).toBeTruthy();
  expect(screen).toHavePathname('/');
  expect(screen.getAllByTestId('upload-screen', { includeHiddenElements: true })).toHaveLength(1);
});

test('a job submitted by URL shows its download phase with the server\'s message', async () => {
  installFetch({
    [`GET ${JOB_PATH}`]: () => ({ status: 200, body: job({ phase: 'fetching', progress: 4, message: 'Downloading the video: 12 of 80 MB' }) }),
  });
  await signInAs();
  renderApp('/jobs/job-1');
  expect(await screen.findByText('Downloading the video')).toBeTruthy();
  expect(screen.getByTestId('job-message')).toHaveTextContent('Downloading the video: 12 of 80 MB');
});

test('a URL whose download failed is titled in words', async () => {
  installFetch({
    [`GET ${JOB_PATH}`]: () => ({
      status: 200,
      body: job({ status: 'failed', phase: 'fetching', error: { code: 'fetch_failed', message: 'The server at that address did not answer.' } }),
    }),
  });
  await signInAs();
  renderApp('/jobs/job-1');
  expect(await screen.findByText('The server at that address did not answer.')).toBeTruthy();
  expect(screen.getByTestId('error-title')).toHaveTextContent('Could not download the video');
});
