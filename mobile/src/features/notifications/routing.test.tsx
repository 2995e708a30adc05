import { act, fireEvent, screen, waitFor } from 'expo-router/testing-library';

import { installFetch } from '@/testing/fetchMock';
import { completedJob } from '@/testing/fixtures';
import { jobNotification, notificationTestControls } from '@/testing/mockNotifications';
import { renderApp, signInAs } from '@/testing/renderApp';

// The EAS project id comes from app config; give the test app one.
jest.mock('expo-constants', () => {
  const actual = jest.requireActual<typeof import('expo-constants')>('expo-constants').default;
  return {
    __esModule: true,
    default: { ...actual, expoConfig: { ...actual.expoConfig, extra: { eas: { projectId: 'eas-1' } } } },
  };
});

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
  expect(await screen.findByText('Analyse a video')).toBeTruthy();

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

test('a taken notification is cleared, so a reload does not open it again', async () => {
  serveJobs();
  await signInAs();
  notificationTestControls.launchedBy(jobNotification('job-7'));
  renderApp('/');
  expect(await screen.findByTestId('results-screen')).toBeTruthy();
  expect(notificationTestControls.lastResponse).toBeNull();
});

test('a link opened while signed out is where sign-in leads', async () => {
  installFetch({
    'POST /api/auth/login': () => ({
      status: 200,
      body: { token: 'fresh', user: { id: 1, email: 'ana@example.com', created_at: '2026-11-01T00:00:00Z' } },
    }),
    'GET /api/results/job/job-8': () => ({ status: 200, body: completedJob('job-8') }),
  });
  renderApp('/results/job-8');
  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();

  fireEvent.changeText(screen.getByTestId('email-input'), 'ana@example.com');
  fireEvent.changeText(screen.getByTestId('password-input'), 'correct horse');
  fireEvent.press(screen.getByTestId('submit-button'));

  expect(await screen.findByTestId('results-screen')).toBeTruthy();
  expect(screen).toHavePathname('/results/job-8');
});

test('a new push token from the OS is sent to the server', async () => {
  notificationTestControls.grantPermission(true);
  const tokens: unknown[] = [];
  installFetch({
    'POST /api/push-tokens': ({ body }) => {
      tokens.push(body);
      return { status: 201, body: {} };
    },
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [], next_cursor: null } }),
  });
  await signInAs();
  renderApp('/');
  await waitFor(() => expect(tokens).toHaveLength(1));

  act(() => notificationTestControls.rotateToken('ExponentPushToken[new]'));
  await waitFor(() => expect(tokens).toHaveLength(2));
  expect(tokens[1]).toEqual({ token: 'ExponentPushToken[new]', platform: 'ios' });
});
