import { act, fireEvent, screen } from 'expo-router/testing-library';
import { AppState, type AppStateStatus } from 'react-native';

import { installFetch } from '@/testing/fetchMock';
import { job } from '@/testing/fixtures';
import { renderApp, signInAs } from '@/testing/renderApp';

const JOB_PATH = '/api/results/job/job-1';

/** AppState is driven by hand: the test plays the OS moving the app to the background and back. */
function captureAppState() {
  const listeners: ((state: AppStateStatus) => void)[] = [];
  jest.spyOn(AppState, 'addEventListener').mockImplementation((_type, listener) => {
    listeners.push(listener as (state: AppStateStatus) => void);
    return { remove: () => listeners.splice(listeners.indexOf(listener as (s: AppStateStatus) => void), 1) };
  });
  return (state: AppStateStatus) => act(() => listeners.forEach((l) => l(state)));
}

async function advance(ms: number) {
  await act(async () => {
    await jest.advanceTimersByTimeAsync(ms);
  });
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

test('polls every 2 s, stops in the background and resumes with an immediate refetch', async () => {
  const setAppState = captureAppState();
  const net = installFetch({ [`GET ${JOB_PATH}`]: () => ({ status: 200, body: job() }) });
  await signInAs();
  renderApp('/jobs/job-1');

  expect(await screen.findByText('40 %')).toBeTruthy();
  expect(screen.getByText('Analysing 0:16 of 0:42')).toBeTruthy();
  const first = net.count('GET', JOB_PATH);

  await advance(2000);
  expect(net.count('GET', JOB_PATH)).toBe(first + 1);
  await advance(2000);
  expect(net.count('GET', JOB_PATH)).toBe(first + 2);

  setAppState('background');
  await advance(10_000);
  expect(net.count('GET', JOB_PATH)).toBe(first + 2);

  setAppState('active');
  await advance(0);
  expect(net.count('GET', JOB_PATH)).toBe(first + 3);
  await advance(2000);
  expect(net.count('GET', JOB_PATH)).toBe(first + 4);
});

test('stops polling once the job is terminal', async () => {
  let status = 0;
  const net = installFetch({
    [`GET ${JOB_PATH}`]: () => {
      status += 1;
      return {
        status: 200,
        body: status < 2 ? job() : job({ status: 'failed', phase: 'analyzing', error: { code: 'invalid_video', message: 'This file is not a video we can read.' } }),
      };
    },
  });
  await signInAs();
  renderApp('/jobs/job-1');

  expect(await screen.findByText('40 %')).toBeTruthy();
  await advance(2000);
  expect(await screen.findByText('This file is not a video we can read.')).toBeTruthy();
  const settled = net.count('GET', JOB_PATH);
  await advance(10_000);
  expect(net.count('GET', JOB_PATH)).toBe(settled);
});

test('an open job is polled once every 2 s: the Upload tab beneath it stops polling its list', async () => {
  const net = installFetch({
    [`GET ${JOB_PATH}`]: () => ({ status: 200, body: job() }),
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [job()], next_cursor: null } }),
  });
  await signInAs();
  renderApp('/');

  const row = await screen.findByTestId('in-progress-job-1');
  await advance(2000);
  expect(net.count('GET', '/api/jobs')).toBeGreaterThanOrEqual(2); // the tab polls while on top
  fireEvent.press(row);
  expect(await screen.findByTestId('job-screen')).toBeTruthy();
  await advance(0);
  const lists = net.count('GET', '/api/jobs');
  const jobs = net.count('GET', JOB_PATH);
  await advance(10_000);
  expect(net.count('GET', JOB_PATH) - jobs).toBe(5);
  expect(net.count('GET', '/api/jobs')).toBe(lists);
});
