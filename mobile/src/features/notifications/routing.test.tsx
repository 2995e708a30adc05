import { act, fireEvent, screen } from 'expo-router/testing-library';

import { installFetch } from '@/testing/fetchMock';
import { completedJob } from '@/testing/fixtures';
import { jobNotification, notificationTestControls } from '@/testing/mockNotifications';
import { renderApp, signInAs } from '@/testing/renderApp';

function serveJobs() {
  return installFetch({
    'GET /api/results/job/job-7': () => ({ status: 200, body: completedJob('job-7') }),
    'GET /api/results/job/job-8': () => ({ status: 200, body: completedJob('job-8') }),
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [], next_cursor: null } }),
  });
}

test('a tap that launched the app (cold start) opens the results', async () => {
  serveJobs();
  await signInAs();
  notificationTestControls.launchedBy(jobNotification('job-7'));
  renderApp('/');

  expect(await screen.findByTestId('results-screen')).toBeTruthy();
  expect(screen).toHavePathname('/results/job-7');
  expect(await screen.findByText('Most of the clip is too dark to see.')).toBeTruthy();
});

test('a tap while the app runs (warm) opens the results', async () => {
  serveJobs();
  await signInAs();
  renderApp('/');
  expect(await screen.findByText('Analyze a video')).toBeTruthy();

  act(() => notificationTestControls.tap(jobNotification('job-8')));

  expect(await screen.findByTestId('results-screen')).toBeTruthy();
  expect(screen).toHavePathname('/results/job-8');
});

test('a cold-start tap waits for sign-in, then opens the results', async () => {
  installFetch({
    'POST /api/auth/login': () => ({
      status: 200,
      body: { token: 'fresh', user: { id: 1, email: 'ana@example.com', created_at: '2026-11-01T00:00:00Z' } },
    }),
    'GET /api/results/job/job-7': () => ({ status: 200, body: completedJob('job-7') }),
  });
  notificationTestControls.launchedBy(jobNotification('job-7'));
  renderApp('/');
  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();
  expect(screen).toHavePathname('/sign-in');

  fireEvent.changeText(screen.getByTestId('email-input'), 'ana@example.com');
  fireEvent.changeText(screen.getByTestId('password-input'), 'correct horse');
  fireEvent.press(screen.getByTestId('submit-button'));

  expect(await screen.findByTestId('results-screen')).toBeTruthy();
  expect(screen).toHavePathname('/results/job-7');
});
