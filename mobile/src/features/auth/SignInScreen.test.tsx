import { fireEvent, screen } from 'expo-router/testing-library';
import * as SecureStore from 'expo-secure-store';

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
  // Titled for what happened, not "Something went wrong"; nothing to "Try again".
  expect(screen.getByTestId('error-title')).toHaveTextContent('Wrong e-mail or password');
  expect(screen.queryByText('Try again')).toBeNull();
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

  expect(await screen.findByText('Analyse a video')).toBeTruthy();
  expect(sent).toEqual([{ email: 'bo@example.com', password: 'long enough' }]);
});

test('a bad e-mail is said in words, never as the validation pattern', async () => {
  installFetch({
    'POST /api/auth/register': () => ({
      status: 422,
      body: { error: { code: 'validation_error', message: "email: String should match pattern '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'" } },
    }),
  });
  renderApp('/');
  await screen.findByTestId('sign-in-screen');
  fireEvent.press(screen.getByText('Create account'));
  fillAndSubmit('ana@nowhere', 'long enough');

  expect(await screen.findByText('Enter an e-mail address like name@example.com.')).toBeTruthy();
  expect(screen.getByTestId('error-title')).toHaveTextContent('Check what you entered');
  expect(screen.queryByText(/\^/)).toBeNull();
});

test('an answer that is not JSON (a web page at the address) is a sentence, not a JavaScript error', async () => {
  global.fetch = jest.fn(async () => new Response('<!doctype html><html><body>app</body></html>', { status: 200, headers: { 'Content-Type': 'text/html' } }));
  renderApp('/');
  await screen.findByTestId('sign-in-screen');
  fillAndSubmit('ana@example.com', 'password-1');

  expect(await screen.findByText('Not a Clipscope server')).toBeTruthy();
  expect(screen.getByTestId('error-message')).toHaveTextContent(/did not answer like a Clipscope server\. Check the server address\./);
  expect(screen.queryByText(/Cannot read properties|undefined|null/)).toBeNull();
  expect(screen).toHavePathname('/sign-in');
});

test('a server address is checked at /api/health before it is kept; one without http:// gets it', async () => {
  const net = installFetch({
    'GET /api/health': ({ url }) =>
      url.startsWith('http://videos.example.org')
        ? { status: 200, body: { status: 'ok', database: true, queue_depth: 0 } }
        : { status: 404, body: { error: { code: 'not_found', message: 'No.' } } },
  });
  renderApp('/');
  await screen.findByTestId('sign-in-screen');
  fireEvent.press(screen.getByTestId('change-server'));
  fireEvent.changeText(screen.getByTestId('server-url-input'), 'videos.example.org/');
  fireEvent.press(screen.getByTestId('save-server'));

  expect(await screen.findByText('Server: http://videos.example.org')).toBeTruthy();
  expect(net.count('GET', '/api/health')).toBe(1);
});

test('an address where no Clipscope server answers is refused and not kept', async () => {
  global.fetch = jest.fn(async () => new Response('<html>a router page</html>', { status: 200 }));
  renderApp('/');
  await screen.findByTestId('sign-in-screen');
  fireEvent.press(screen.getByTestId('change-server'));
  fireEvent.changeText(screen.getByTestId('server-url-input'), '192.168.1.1');
  fireEvent.press(screen.getByTestId('save-server'));

  expect(await screen.findByText('Not a Clipscope server')).toBeTruthy();
  expect(screen.getByTestId('server-url-input')).toBeTruthy();
  expect(await SecureStore.getItemAsync('clipscope.serverUrl')).toBeNull();
});
