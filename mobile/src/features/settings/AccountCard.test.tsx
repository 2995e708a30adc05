import { fireEvent, screen, waitFor } from 'expo-router/testing-library';
import * as SecureStore from 'expo-secure-store';

import { installFetch } from '@/testing/fetchMock';
import { renderApp, signInAs } from '@/testing/renderApp';

const USER = { id: 1, email: 'ana@example.com', created_at: '2026-11-01T00:00:00Z' };
const noJobs = () => ({ status: 200, body: { jobs: [], next_cursor: null } });

test('the password is changed with the current one; this device keeps its session with the new token', async () => {
  const net = installFetch({
    'POST /api/auth/password': ({ body }) => {
      const sent = body as { current_password: string; new_password: string };
      if (sent.current_password !== 'old password')
        return { status: 403, body: { error: { code: 'wrong_password', message: 'The current password is wrong.' } } };
      return { status: 200, body: { token: 'tok-new', user: USER } };
    },
  });
  await signInAs('tok-old');
  renderApp('/settings');

  fireEvent.press(await screen.findByTestId('change-password'));
  fireEvent.changeText(screen.getByTestId('current-password'), 'not it');
  fireEvent.changeText(screen.getByTestId('new-password'), 'short');
  expect(screen.getByText('At least 8 characters.')).toBeTruthy();
  fireEvent.changeText(screen.getByTestId('new-password'), 'a much better one');
  fireEvent.press(screen.getByTestId('save-password'));
  // A wrong current password is said, and does not end the session.
  expect(await screen.findByText('Wrong current password')).toBeTruthy();
  expect(screen.getByTestId('settings-screen')).toBeTruthy();

  fireEvent.changeText(screen.getByTestId('current-password'), 'old password');
  fireEvent.press(screen.getByTestId('save-password'));
  expect(await screen.findByTestId('password-changed')).toBeTruthy();
  expect(await SecureStore.getItemAsync('clipscope.token')).toBe('tok-new');
  expect(net.calls.filter((c) => c.path === '/api/auth/password').map((c) => c.headers.Authorization)).toEqual([
    'Bearer tok-old',
    'Bearer tok-old',
  ]);
});

test('sign out everywhere asks first, revokes every session on the server, and the next sign-in starts at Upload with the e-mail filled in', async () => {
  const net = installFetch({
    'POST /api/auth/logout-all': () => ({ status: 204 }),
    'POST /api/auth/login': () => ({ status: 200, body: { token: 'tok-2', user: USER } }),
    'GET /api/jobs': noJobs,
  });
  await signInAs('tok-1', 'ana@example.com');
  renderApp('/settings');

  fireEvent.press(await screen.findByTestId('sign-out-everywhere'));
  expect(net.count('POST', '/api/auth/logout-all')).toBe(0);
  expect(screen.getByText('Every phone and browser signed in to this account will have to sign in again.')).toBeTruthy();
  fireEvent.press(screen.getByTestId('sign-out-everywhere-confirm'));

  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();
  expect(net.count('POST', '/api/auth/logout-all')).toBe(1);
  expect(screen.getByTestId('email-input').props.value).toBe('ana@example.com');

  fireEvent.changeText(screen.getByTestId('password-input'), 'correct horse');
  fireEvent.press(screen.getByTestId('submit-button'));
  expect(await screen.findByTestId('upload-screen')).toBeTruthy();
  await waitFor(() => expect(screen).toHavePathname('/'));
});

test('a plain sign out, then signing in again, starts at Upload rather than on Settings', async () => {
  const net = installFetch({
    'POST /api/auth/logout': () => ({ status: 204 }),
    'POST /api/auth/login': () => ({ status: 200, body: { token: 'tok-2', user: USER } }),
    'GET /api/jobs': noJobs,
  });
  await signInAs('tok-1', 'ana@example.com');
  renderApp('/settings');

  fireEvent.press(await screen.findByTestId('sign-out'));
  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();
  await waitFor(() => expect(net.count('POST', '/api/auth/logout')).toBe(1));
  expect(screen.getByTestId('email-input').props.value).toBe('ana@example.com');

  fireEvent.changeText(screen.getByTestId('password-input'), 'correct horse');
  fireEvent.press(screen.getByTestId('submit-button'));
  expect(await screen.findByTestId('upload-screen')).toBeTruthy();
  await waitFor(() => expect(screen).toHavePathname('/'));
  expect(screen.queryByTestId('settings-screen')).toBeNull();
});

test('a session that ended by itself returns to where the person was, e-mail filled in', async () => {
  installFetch({
    'GET /api/results/job/job-1': () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'This session has ended.' } } }),
  });
  await signInAs('tok-1', 'ana@example.com');
  renderApp('/jobs/job-1');

  expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeTruthy();
  expect(screen.getByTestId('email-input').props.value).toBe('ana@example.com');
});
