import { act, fireEvent, screen, waitFor } from 'expo-router/testing-library';
import * as ImagePicker from 'expo-image-picker';

import type { Batch } from '@/lib/types';
import { installFetch } from '@/testing/fetchMock';
import { job } from '@/testing/fixtures';
import { renderApp, signInAs } from '@/testing/renderApp';
import { installXhrOverFetch } from '@/testing/xhrOverFetch';

jest.mock('expo-image-picker', () => ({ launchImageLibraryAsync: jest.fn() }));

const asset = (name: string) => ({ uri: `file:///var/mobile/${name}`, fileName: name, fileSize: 1000, duration: 5000, mimeType: 'video/mp4', type: 'video', width: 1, height: 1 });

function batch(overrides: Partial<Batch>): Batch {
  return {
    id: 'b-1',
    status: 'processing',
    progress: 20,
    total: 2,
    counts: { queued: 0, processing: 2, completed: 0, failed: 0, cancelled: 0 },
    parts: [
      { index: 0, filename: 'beach.mp4', job_id: 'j-1', deduplicated: false, error: null },
      { index: 1, filename: 'hike.mp4', job_id: 'j-2', deduplicated: false, error: null },
      { index: 2, filename: 'notes.mp4', job_id: null, deduplicated: false, error: { code: 'unsupported_media_type', message: 'This file is not a video we can read.' } },
    ],
    jobs: [job({ id: 'j-1', progress: 30, video: { filename: 'beach.mp4', size_bytes: 1000, content_type: 'video/mp4' } }), job({ id: 'j-2', progress: 10, video: { filename: 'hike.mp4', size_bytes: 1000, content_type: 'video/mp4' } })],
    created_at: '2026-11-30T03:00:00Z',
    finished_at: null,
    links: { self: '/api/batches/b-1', cancel: '/api/batches/b-1/cancel' },
    ...overrides,
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('several picked videos go as one batch; the batch shows each video, a refused one in words, and ends', async () => {
  jest.mocked(ImagePicker.launchImageLibraryAsync).mockResolvedValue({
    canceled: false,
    assets: [asset('beach.mp4'), asset('hike.mp4'), asset('notes.mp4')],
  } as ImagePicker.ImagePickerResult);
  let current = batch({});
  const net = installFetch({
    'POST /api/batches': () => ({ status: 202, body: current }),
    'GET /api/batches/b-1': () => ({ status: 200, body: current }),
  });
  installXhrOverFetch(2_000_000);
  await signInAs('tok-3');
  renderApp('/');
  // Signed in: the Upload tab asks for the running jobs.
  await waitFor(() => expect(net.count('GET', '/api/jobs')).toBeGreaterThan(0));

  fireEvent.press(await screen.findByTestId('pick-several'));
  // While the request goes: how far it is, which videos, a way to stop; no second pick meanwhile.
  expect(await screen.findByTestId('batch-sending')).toBeTruthy();
  expect(screen.getByText('Sending 3 videos')).toBeTruthy();
  await act(async () => {
    await jest.advanceTimersByTimeAsync(10);
  });
  expect(screen.getByTestId('batch-send-status')).toHaveTextContent(/^1\.0 MB of 2\.0 MB sent/);
  expect(screen.getByTestId('batch-send-progress').props['aria-valuenow']).toBe(50);
  expect(screen.getByText('notes.mp4')).toBeTruthy();
  expect(screen.getByTestId('batch-send-cancel')).toBeTruthy();
  expect(screen.queryByTestId('pick-several')).toBeNull();
  expect(screen.getByTestId('pick-video').props.accessibilityState).toMatchObject({ disabled: true });
  await act(async () => {
    await jest.advanceTimersByTimeAsync(1000);
  });
  expect(await screen.findByTestId('batch-screen')).toBeTruthy();
  expect(jest.mocked(ImagePicker.launchImageLibraryAsync)).toHaveBeenCalledWith(expect.objectContaining({ allowsMultipleSelection: true }));
  expect(net.count('POST', '/api/batches')).toBe(1);
  expect(net.calls.find((c) => c.path === '/api/batches')!.headers.Authorization).toBe('Bearer tok-3');
  expect(screen.getByTestId('batch-summary')).toHaveTextContent('0 of 2 videos analysed so far.');
  expect(screen.getByText('This file is not a video we can read.')).toBeTruthy();
  expect(screen.getByTestId('batch-part-0')).toHaveTextContent(/beach\.mp4/);

  current = batch({
    status: 'completed',
    progress: 100,
    counts: { queued: 0, processing: 0, completed: 2, failed: 0, cancelled: 0 },
    jobs: [job({ id: 'j-1', status: 'completed', progress: 100 }), job({ id: 'j-2', status: 'completed', progress: 100 })],
  });
  await act(async () => {
    await jest.advanceTimersByTimeAsync(2500);
  });
  expect(await screen.findByText('2 videos analysed.')).toBeTruthy();
  const polls = net.count('GET', '/api/batches/b-1');
  await act(async () => {
    await jest.advanceTimersByTimeAsync(10_000);
  });
  // An ended batch is no longer polled.
  expect(net.count('GET', '/api/batches/b-1')).toBe(polls);
});

test('sending a batch can be stopped; nothing opens and the picker is back', async () => {
  jest.mocked(ImagePicker.launchImageLibraryAsync).mockResolvedValue({
    canceled: false,
    assets: [asset('beach.mp4'), asset('hike.mp4')],
  } as ImagePicker.ImagePickerResult);
  const net = installFetch({ 'POST /api/batches': () => ({ status: 202, body: batch({}) }) });
  installXhrOverFetch();
  await signInAs();
  renderApp('/');

  fireEvent.press(await screen.findByTestId('pick-several'));
  fireEvent.press(await screen.findByTestId('batch-send-cancel'));
  expect(await screen.findByText('Sending stopped')).toBeTruthy();
  await act(async () => {
    await jest.advanceTimersByTimeAsync(2000);
  });
  expect(net.count('POST', '/api/batches')).toBe(0);
  expect(screen.queryByTestId('batch-screen')).toBeNull();
  expect(screen.getByTestId('pick-several')).toBeTruthy();
});

test('History leads back to a batch', async () => {
  installFetch({
    'GET /api/jobs': () => ({ status: 200, body: { jobs: [], next_cursor: null } }),
    'GET /api/batches': () => ({ status: 200, body: { batches: [batch({})], next_cursor: null } }),
    'GET /api/batches/b-1': () => ({ status: 200, body: batch({}) }),
  });
  await signInAs();
  renderApp('/history');

  fireEvent.press(await screen.findByTestId('batch-row-b-1'));
  expect(await screen.findByTestId('batch-screen')).toBeTruthy();
  expect(screen).toHavePathname('/batches/b-1');
});
