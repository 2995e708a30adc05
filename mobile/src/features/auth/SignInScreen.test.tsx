import { fireEvent, screen } from 'expo-router/testing-library';

import { installFetch, installOfflineFetch } from '@/testing/fetchMock';
import { renderApp } from '@/testing/renderApp';

function fillAndSubmit(email: string, password: string) {
  fireEvent.changeText(screen.getByTestId('email-input'), email);
  fireEvent.changeText(screen.getByTestId('password-input'), password);
  fireEvent.press(screen.getByTestId('submit-button'));
}

test("shows the server's message when sign-in is refused", async () => {
  installFetch({
    'POST /api/auth/login': () => ({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'Wrong email or password.' } },
    }),
  });
  renderApp('/');
  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();

  fillAndSubmit('ana@example.com', 'not-it-at-all');

  expect(await screen.findByText('Wrong email or password.')).toBeTruthy();
  expect(screen).toHavePathname('/sign-in');
});

test('shows offline as offline', async () => {
  installOfflineFetch();
  renderApp('/');
  await screen.findByTestId('sign-in-screen');

  fillAndSubmit('ana@example.com', 'password-1');

  expect(await screen.findByText('Offline')).toBeTruthy();
  expect(screen.getByText(/You're offline/)).toBeTruthy();
});

test('creating an account signs in and opens the upload screen', async () => {
  const sent: unknown[] = [];
  installFetch({
    'POST /api/auth/register': ({ body }) => {
      sent.push(body);
      return { status: 201, body: { token: 'new', user: { id: 3, email: 'bo@example.com', created_at: '2026-11-22T00:00:00Z' } } };
    },
  });
  renderApp('/');
  await screen.findByTestId('sign-in-screen');

  fireEvent.press(screen.getByText('Create account'));
  fillAndSubmit('bo@example.com', 'long enough');

  expect(await screen.findByText('Analyze a video')).toBeTruthy();
  expect(sent).toEqual([{ email: 'bo@example.com', password: 'long enough' }]);
});
