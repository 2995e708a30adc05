import { fireEvent, screen, waitFor } from 'expo-router/testing-library';

import { installFetch } from '@/testing/fetchMock';
import { job } from '@/testing/fixtures';
import { renderApp, signInAs } from '@/testing/renderApp';

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
  expect(screen.getByText('Analyzing 0:27 of 0:42')).toBeTruthy();
  expect(screen.getByText('dog.mp4')).toBeTruthy();

  fireEvent.press(screen.getAllByText('Delete')[1]!);
  fireEvent.press(screen.getByTestId('confirm-delete-done-1'));

  await waitFor(() => expect(screen.queryByText('dog.mp4')).toBeNull());
  expect(net.count('DELETE', '/api/jobs/done-1')).toBe(1);
});

test('a server error shows its message', async () => {
  installFetch({
    'GET /api/jobs': () => ({ status: 500, body: { error: { code: 'internal_error', message: 'The server had a problem; try again.' } } }),
  });
  await signInAs();
  renderApp('/history');
  expect(await screen.findByText('The server had a problem; try again.', {}, { timeout: 10_000 })).toBeTruthy();
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
