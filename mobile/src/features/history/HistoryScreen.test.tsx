import { act, fireEvent, screen, waitFor } from 'expo-router/testing-library';

import { Platform, StyleSheet } from 'react-native';

import { installFetch } from '@/testing/fetchMock';
import { job } from '@/testing/fixtures';
import { renderApp, signInAs } from '@/testing/renderApp';

// Polling and query retries run on fake timers: a busy machine slows the test, never its clock.
beforeEach(() => jest.useFakeTimers());
afterEach(() => {
  jest.useRealTimers();
  delete (globalThis as { location?: unknown }).location;
});

test('lists the jobs, with progress for running ones, and deletes one', async () => {
  let jobs = [
    job({ id: 'run-1', progress: 64, message: 'Analyzing 0:27 of 0:42' }),
    job({ id: 'done-1', status: 'completed', phase: 'done', progress: 100, video: { filename: 'dog.mp4', size_bytes: 1000, content_type: 'video/mp4' } }),
  ];
  const net = installFetch({
    'GET /api/jobs': () => ({ status: 200, body: { jobs, next_cursor: null } }),
    'DELETE /api/jobs/done-1': () => {
      jobs = jobs.filter((j) => j.id !== 'done-1');
      return { status: 204 };
    },
  });
  await signInAs();
  renderApp('/history');

  expect(await screen.findByText('64 %')).toBeTruthy();
  expect(screen.getByText('Analysing 0:27 of 0:42')).toBeTruthy();
  expect(screen.getByText('dog.mp4')).toBeTruthy();
  // A screen reader hears the pill's word and which video each button is for.
  expect(screen.getByLabelText('Open dog.mp4, Ready')).toBeTruthy();
  expect(screen.getByLabelText('Delete: dog.mp4')).toBeTruthy();
  expect(screen.getByLabelText('Cancel: beach.mov')).toBeTruthy();
  // The whole width and three lines for a name: at 320 pt it is no longer cut to a few letters.
  expect(screen.getByTestId('job-name-done-1').props.numberOfLines).toBe(3);

  fireEvent.press(screen.getByTestId('delete-done-1'));
  fireEvent.press(screen.getByTestId('confirm-delete-done-1'));

  await waitFor(() => expect(screen.queryByText('dog.mp4')).toBeNull());
  expect(net.count('DELETE', '/api/jobs/done-1')).toBe(1);
});

test('a server error shows its message (the retries take no real time)', async () => {
  installFetch({
    'GET /api/jobs': () => ({ status: 500, body: { error: { code: 'internal_error', message: 'The server had a problem; try again.' } } }),
  });
  await signInAs();
  renderApp('/history');
  // The query retries twice with back-off before it shows the error: play that time out.
  for (let second = 0; second < 10 && !screen.queryByText('The server had a problem; try again.'); second += 1) {
    await act(async () => {
      await jest.advanceTimersByTimeAsync(1000);
    });
  }
  expect(screen.getByText('The server had a problem; try again.')).toBeTruthy();
  expect(screen.getByTestId('error-title')).toHaveTextContent('Server problem');
  expect(screen.getByText('Try again')).toBeTruthy();
});

test('a failed job can run again and a running one be cancelled from History; finished ones show a thumbnail', async () => {
  let jobs = [
    job({ id: 'run-1', progress: 10 }),
    job({ id: 'bad-1', status: 'failed', error: { code: 'worker_lost', message: 'The worker stopped too many times.' } }),
    job({ id: 'done-1', status: 'completed', phase: 'done', progress: 100 }),
  ];
  const net = installFetch({
    'GET /api/jobs': () => ({ status: 200, body: { jobs, next_cursor: null } }),
    'POST /api/jobs/bad-1/retry': () => {
      jobs = jobs.map((j) => (j.id === 'bad-1' ? job({ id: 'bad-1', status: 'queued', phase: 'queued', progress: 0, message: 'Waiting for a worker' }) : j));
      return { status: 202, body: jobs[1] };
    },
    'POST /api/jobs/run-1/cancel': () => {
      jobs = jobs.map((j) => (j.id === 'run-1' ? job({ id: 'run-1', status: 'cancelled' }) : j));
      return { status: 202, body: jobs[0] };
    },
  });
  await signInAs();
  renderApp('/history');

  expect(await screen.findByTestId('history-thumb-done-1')).toBeTruthy();
  // Row actions are their own buttons (reachable by screen readers), at least 44 points tall.
  for (const id of ['retry-bad-1', 'cancel-run-1', 'delete-done-1']) {
    const action = screen.getByTestId(id);
    expect(action.props.accessibilityRole).toBe('button');
    expect(StyleSheet.flatten(action.props.style)).toMatchObject({ minHeight: 44, minWidth: 44 });
  }
  expect(screen.queryByTestId('retry-done-1')).toBeNull();
  fireEvent.press(screen.getByTestId('retry-bad-1'));
  await waitFor(() => expect(net.count('POST', '/api/jobs/bad-1/retry')).toBe(1));
  await waitFor(() => expect(screen.queryByTestId('retry-bad-1')).toBeNull());

  fireEvent.press(screen.getByTestId('cancel-run-1'));
  await waitFor(() => expect(net.count('POST', '/api/jobs/run-1/cancel')).toBe(1));
  expect(await screen.findByTestId('retry-run-1')).toBeTruthy();
});

test('a 401 sends the user to sign-in', async () => {
  installFetch({
    'GET /api/jobs': () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'Your token has expired.' } } }),
  });
  await signInAs();
  renderApp('/history');

  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();
  expect(screen).toHavePathname('/sign-in');
  expect(screen.getByText('Your session has ended. Please sign in again.')).toBeTruthy();
});

test('on the web the header refresh button asks again, and stays usable while the list rides out an outage', async () => {
  jest.replaceProperty(Platform, 'OS', 'web');
  // A web build takes its default server from the page's address.
  Object.defineProperty(globalThis, 'location', { value: { origin: 'https://clipscope.test' }, configurable: true });
  let up = true;
  const net = installFetch({
    'GET /api/jobs': () => (up ? { status: 200, body: { jobs: [job({ id: 'done-1', status: 'completed', phase: 'done', progress: 100 })], next_cursor: null } } : 'offline'),
  });
  await signInAs();
  renderApp('/history');
  expect(await screen.findByText('beach.mov')).toBeTruthy();
  const button = await screen.findByTestId('header-refresh');
  expect(button).not.toBeDisabled();

  // A person's refresh: a new GET, and the button busy only until it is answered.
  const before = net.count('GET', '/api/jobs');
  fireEvent.press(button);
  await act(async () => {
    await jest.advanceTimersByTimeAsync(100);
  });
  expect(net.count('GET', '/api/jobs')).toBe(before + 1);
  expect(screen.getByTestId('header-refresh')).not.toBeBusy();

  // The server goes away: the list keeps asking by itself (its retry loop), and the button is
  // neither greyed nor busy meanwhile; a press asks again at once.
  up = false;
  fireEvent.press(screen.getByTestId('header-refresh'));
  expect(await screen.findByText('Offline')).toBeTruthy();
  for (let i = 0; i < 4; i += 1) {
    await act(async () => {
      await jest.advanceTimersByTimeAsync(2000);
    });
    expect(screen.getByTestId('header-refresh')).not.toBeDisabled();
    expect(screen.getByTestId('header-refresh')).not.toBeBusy();
  }
  const during = net.count('GET', '/api/jobs');
  fireEvent.press(screen.getByTestId('header-refresh'));
  await act(async () => {
    await jest.advanceTimersByTimeAsync(100);
  });
  expect(net.count('GET', '/api/jobs')).toBe(during + 1);

  up = true;
  await act(async () => {
    await jest.advanceTimersByTimeAsync(6000);
  });
  expect(screen.queryByText('Offline')).toBeNull();
});
