import { act, fireEvent, screen, waitFor } from 'expo-router/testing-library';
import * as ImagePicker from 'expo-image-picker';
import * as Notifications from 'expo-notifications';

import { installFetch } from '@/testing/fetchMock';
import { installTusServer } from '@/testing/tusServer';
import { storage } from '@/lib/storage';
import { job } from '@/testing/fixtures';
import { notificationTestControls } from '@/testing/mockNotifications';
import { renderApp, signInAs } from '@/testing/renderApp';

// The EAS project id comes from app config; give the test app one.
jest.mock('expo-constants', () => {
  const actual = jest.requireActual<typeof import('expo-constants')>('expo-constants').default;
  return {
    __esModule: true,
    default: { ...actual, expoConfig: { ...actual.expoConfig, extra: { eas: { projectId: 'eas-1' } } } },
  };
});

/**
 * The picked file on the phone's disk, read through expo-file-system's FileHandle (the file
 * system, not the network: the network is the fake XMLHttpRequest of installTusServer).
 */
jest.mock('expo-file-system', () => ({
  FileMode: { ReadOnly: 'r' },
  File: class {
    path: string;
    constructor(path: string) {
      this.path = path;
    }
    open() {
      if (this.path.includes('deleted')) throw new Error('File does not exist');
      return { size: 45_415_891, offset: 0, close: () => undefined, readBytes: async (n: number) => new Uint8Array(n) };
    }
  },
}));

jest.mock('expo-image-picker', () => ({ launchImageLibraryAsync: jest.fn() }));

const picked = {
  canceled: false,
  assets: [
    {
      uri: 'file:///var/mobile/beach.mov',
      fileName: 'beach.mov',
      fileSize: 45_415_891,
      duration: 42_000,
      mimeType: 'video/quicktime',
      type: 'video',
      width: 1920,
      height: 1080,
    },
  ],
};

beforeEach(() => {
  jest.mocked(ImagePicker.launchImageLibraryAsync).mockResolvedValue(picked as ImagePicker.ImagePickerResult);
});

async function pickBeach() {
  fireEvent.press(await screen.findByTestId('pick-video'));
  expect(await screen.findByText('beach.mov')).toBeTruthy();
}

const BASE = 'https://clipscope.test';
const SIZE = 45_415_891;
/** `GET <upload URL>`: the job, as the one-shot upload answers; like the server, only to a tus request. */
const accepted =
  (id: string) =>
  ({ headers }: { headers: Record<string, string> }) =>
    headers['Tus-Resumable'] === '1.0.0'
      ? { status: 202, body: { job_id: id, status: 'queued', status_url: '', result_url: '', job: job({ id, status: 'queued', phase: 'queued', progress: 0 }) } }
      : { status: 412, body: { error: { code: 'tus_version_unsupported', message: 'Send Tus-Resumable: 1.0.0.' } } };

test('sends the picked video with tus, bearer token on every request, then opens the job', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'job-42' });
  installFetch({
    'GET /api/uploads/u1': accepted('job-42'),
    'GET /api/results/job/job-42': () => ({ status: 200, body: job({ id: 'job-42', progress: 5 }) }),
  });
  await signInAs('tok-9');
  renderApp('/');

  await pickBeach();
  expect(screen.getByTestId('picked-size')).toHaveTextContent('45 MB');
  expect(screen.getByTestId('picked-duration')).toHaveTextContent('0:42');

  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();
  expect(screen).toHavePathname('/jobs/job-42');

  const [creation] = tus.of('POST');
  expect(tus.of('POST')).toHaveLength(1);
  expect(creation!.url).toBe(`${BASE}/api/uploads`);
  expect(creation!.headers['Upload-Length']).toBe(String(SIZE));
  expect(creation!.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
  expect(tus.uploads.get('u1')!.metadata).toEqual({ filename: 'beach.mov', filetype: 'video/quicktime', platform: 'ios' });
  for (const request of tus.requests) {
    expect(request.headers).toMatchObject({ Authorization: 'Bearer tok-9', 'Tus-Resumable': '1.0.0' });
  }
  // 4 MiB chunks from the file on disk; the server has every byte.
  expect(tus.of('PATCH').map((r) => r.headers['Upload-Offset'])).toEqual(['0', '4194304', '8388608', '12582912', '16777216', '20971520', '25165824', '29360128', '33554432', '37748736', '41943040']);
  expect(tus.uploads.get('u1')!.offset).toBe(SIZE);
  // Nothing is left to resume once the job exists.
  expect(await storage.getItem('clipscope.tusUploads')).toBeNull();
  expect(await storage.getItem('clipscope.pendingUpload')).toBeNull();
});

test('a dropped connection resumes from the offset the server reports, not from where the app was', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'job-7' });
  installFetch({
    'GET /api/uploads/u1': accepted('job-7'),
    'GET /api/results/job/job-7': () => ({ status: 200, body: job({ id: 'job-7', progress: 0 }) }),
  });
  await signInAs();
  renderApp('/');
  await pickBeach();
  // The first chunk's connection drops after the server kept 1.5 MB of its 4 MiB; the bar had
  // shown all 4 MiB sent.
  tus.cutNextPatch(1_500_000);
  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();

  const sequence = tus.requests.map((r) => `${r.method} ${r.headers['Upload-Offset'] ?? ''}`.trim());
  expect(sequence.slice(0, 5)).toEqual(['POST', 'PATCH 0', 'HEAD', 'PATCH 1500000', `PATCH ${1_500_000 + 4_194_304}`]);
  expect(tus.of('POST')).toHaveLength(1);
  expect(tus.uploads.get('u1')!.offset).toBe(SIZE);
});

test('"Try again" after a failure resumes from what the server has instead of starting over', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'job-5' });
  installFetch({
    'GET /api/uploads/u1': accepted('job-5'),
    'GET /api/results/job/job-5': () => ({ status: 200, body: job({ id: 'job-5', progress: 0 }) }),
  });
  await signInAs();
  renderApp('/');
  await pickBeach();
  // The network goes with the first chunk's connection, after the server kept 2 MB.
  tus.cutNextPatch(2_000_000, true);
  fireEvent.press(screen.getByTestId('upload-button'));
  await waitFor(() => expect(tus.of('HEAD').length).toBeGreaterThan(0));
  fireEvent.press(await screen.findByText('Stop the upload'));
  // Said once, and true: it stopped, and carries on only when asked.
  expect(await screen.findByText('Resume the upload')).toBeTruthy();
  expect(screen.getByTestId('upload-status')).toHaveTextContent(/^You stopped the upload at [\d.]+ MB of 45 MB\./);
  expect(screen.queryByTestId('error-notice')).toBeNull();
  expect(screen.queryByText(/carries on from there/)).toBeNull();

  tus.setDown(false);
  const before = tus.requests.length;
  fireEvent.press(screen.getByText('Resume the upload'));
  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();
  const after = tus.requests.slice(before).map((r) => `${r.method} ${r.headers['Upload-Offset'] ?? ''}`.trim());
  expect(after.slice(0, 2)).toEqual(['HEAD', 'PATCH 2000000']);
  expect(tus.of('POST')).toHaveLength(1);
});

test('an outage during the upload is said at once, keeps what was sent, and resumes by itself when the server is back', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'job-6' });
  installFetch({
    'GET /api/uploads/u1': accepted('job-6'),
    'GET /api/results/job/job-6': () => ({ status: 200, body: job({ id: 'job-6', progress: 0 }) }),
  });
  await signInAs();
  renderApp('/');
  await pickBeach();
  tus.cutNextPatch(2_000_000, true);
  fireEvent.press(screen.getByTestId('upload-button'));

  // At once, not after minutes of "Uploading…": the outage, and that it carries on by itself.
  expect(await screen.findByText('Offline')).toBeTruthy();
  expect(screen.getByTestId('upload-status')).toHaveTextContent(/^Paused at .* waiting for the server\. It carries on by itself/);
  expect(screen.getByText('Stop the upload')).toBeTruthy();
  // It keeps asking while the server is away, and keeps saying so.
  await waitFor(() => expect(tus.of('HEAD').length).toBeGreaterThan(1), { timeout: 5000 });
  expect(screen.getByText('Offline')).toBeTruthy();

  // The server comes back; nobody taps anything.
  tus.setDown(false);
  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();
  expect(tus.of('POST')).toHaveLength(1);
  expect(tus.uploads.get('u1')!.offset).toBe(SIZE);
});

test('a killed app carries on with the stored upload by itself, without choosing the file again', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'job-8' });
  installFetch({
    'GET /api/uploads/u1': accepted('job-8'),
    'GET /api/results/job/job-8': () => ({ status: 200, body: job({ id: 'job-8', progress: 0 }) }),
  });
  // What the app had written before it was killed: the picked file and its upload's URL.
  tus.uploads.set('u1', { length: SIZE, offset: 30_000_000, metadata: {} });
  const fingerprint = `tus::${BASE}/api/uploads::file:///var/mobile/beach.mov::${SIZE}`;
  await storage.setItem(
    'clipscope.tusUploads',
    JSON.stringify([{ fingerprint, urlStorageKey: `${fingerprint}::t`, uploadUrl: `${BASE}/api/uploads/u1`, size: SIZE, metadata: {}, creationTime: 't', parallelUploadUrls: null }]),
  );
  await storage.setItem(
    'clipscope.pendingUpload',
    JSON.stringify({ video: { uri: 'file:///var/mobile/beach.mov', name: 'beach.mov', sizeBytes: SIZE, durationS: 42, mimeType: 'video/quicktime' }, idempotencyKey: 'k-1' }),
  );
  jest.mocked(ImagePicker.launchImageLibraryAsync).mockClear();
  await signInAs();
  renderApp('/');

  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();
  expect(tus.of('POST')).toHaveLength(0);
  expect(tus.requests.map((r) => `${r.method} ${r.headers['Upload-Offset'] ?? ''}`.trim()).slice(0, 2)).toEqual(['HEAD', 'PATCH 30000000']);
  expect(jest.mocked(ImagePicker.launchImageLibraryAsync)).not.toHaveBeenCalled();
});

test('a kept pick whose file left the phone says so once, and is not tried again', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'never' });
  installFetch({});
  await storage.setItem(
    'clipscope.pendingUpload',
    JSON.stringify({ video: { uri: 'file:///var/mobile/deleted.mov', name: 'deleted.mov', sizeBytes: SIZE, durationS: 42, mimeType: 'video/quicktime' }, idempotencyKey: 'k-2' }),
  );
  await signInAs();
  renderApp('/');
  expect(await screen.findByText('Video no longer on this device')).toBeTruthy();
  expect(screen.queryByText('Try again')).toBeNull();
  expect(screen.getByTestId('choose-another')).toBeTruthy();
  expect(tus.requests).toHaveLength(0);
  await waitFor(async () => expect(await storage.getItem('clipscope.pendingUpload')).toBeNull());
});

test('an upload the server no longer has says so and offers to start again', async () => {
  const tus = installTusServer({ base: BASE, jobId: 'job-9' });
  installFetch({
    'GET /api/uploads/u1': accepted('job-9'),
    'GET /api/results/job/job-9': () => ({ status: 200, body: job({ id: 'job-9', progress: 0 }) }),
  });
  await signInAs();
  renderApp('/');
  await pickBeach();
  // A URL stored for this file that the server expired (the fake answers 404 for it).
  const fingerprint = `tus::${BASE}/api/uploads::file:///var/mobile/beach.mov::${SIZE}`;
  await storage.setItem(
    'clipscope.tusUploads',
    JSON.stringify([{ fingerprint, urlStorageKey: `${fingerprint}::t`, uploadUrl: `${BASE}/api/uploads/old`, size: SIZE, metadata: {}, creationTime: 't', parallelUploadUrls: null }]),
  );
  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByText('Upload no longer on the server')).toBeTruthy();
  expect(screen.getByText(/Start again to send it from the beginning/)).toBeTruthy();
  expect(screen.queryByText('Try again')).toBeNull();
  expect(tus.of('POST')).toHaveLength(0);

  fireEvent.press(screen.getByTestId('start-again'));
  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();
  expect(tus.of('POST')).toHaveLength(1);
});

test('a file that is not a video is refused without "Try again"', async () => {
  installTusServer({
    base: BASE,
    jobId: 'never',
    refusePatch: { status: 415, body: { error: { code: 'unsupported_media_type', message: 'This file is not a video we can read.' } } },
  });
  installFetch({});
  await signInAs();
  renderApp('/');
  await pickBeach();
  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByText('This file is not a video we can read.')).toBeTruthy();
  expect(screen.getByTestId('error-title')).toHaveTextContent('Not a video we can read');
  expect(screen.queryByText('Try again')).toBeNull();
  // The refusal is the whole story: no bar beside it, no "Upload stopped."
  expect(screen.queryByTestId('upload-progress')).toBeNull();
  expect(screen.queryByTestId('upload-status')).toBeNull();
  expect(screen.getByTestId('choose-another')).toBeTruthy();
});

test('the same video again says it opens the earlier analysis', async () => {
  installTusServer({ base: BASE, jobId: 'job-42' });
  const earlier = job({ id: 'job-42', progress: 30 });
  installFetch({
    'GET /api/uploads/u1': () => ({ status: 200, body: { job_id: 'job-42', status: 'processing', status_url: '', result_url: '', job: earlier, deduplicated: true } }),
    'GET /api/results/job/job-42': () => ({ status: 200, body: earlier }),
  });
  await signInAs();
  renderApp('/');
  await pickBeach();
  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByTestId('duplicate-notice', {}, { timeout: 20_000 })).toHaveTextContent(/You uploaded this video before/);
});

test('the first upload explains notifications before the system asks, then uploads', async () => {
  notificationTestControls.notAskedYet('granted');
  jest.mocked(Notifications.getPermissionsAsync).mockClear();
  jest.mocked(Notifications.requestPermissionsAsync).mockClear();
  const net = installFetch({ 'POST /api/push-tokens': () => ({ status: 201, body: {} }) });
  await signInAs();
  renderApp('/');
  await pickBeach();
  // Signing in did not ask.
  expect(jest.mocked(Notifications.requestPermissionsAsync)).not.toHaveBeenCalled();

  const tus = installTusServer({ base: BASE, jobId: 'job-1' });
  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByTestId('push-explanation')).toBeTruthy();
  expect(tus.requests).toHaveLength(0);
  fireEvent.press(screen.getByTestId('allow-push'));

  await waitFor(() => expect(tus.of('POST')).toHaveLength(1));
  await waitFor(() => expect(net.count('POST', '/api/push-tokens')).toBe(1));
  expect(jest.mocked(Notifications.requestPermissionsAsync)).toHaveBeenCalledTimes(1);
});

test('a running job shows on the Upload tab', async () => {
  installFetch({ 'GET /api/jobs': () => ({ status: 200, body: { jobs: [job({ id: 'run-9', progress: 64 })], next_cursor: null } }) });
  await signInAs();
  renderApp('/');
  expect(await screen.findByTestId('in-progress')).toBeTruthy();
  expect(screen.getByText('64 %')).toBeTruthy();
  fireEvent.press(screen.getByTestId('in-progress-run-9'));
  expect(await screen.findByTestId('job-screen', {}, { timeout: 20_000 })).toBeTruthy();
});

// Timed behaviour (the 15 s watchdog) on fake timers: a busy machine slows the test, never its clock.
describe('on fake timers', () => {
  beforeEach(() => jest.useFakeTimers());
  // Unmounted while the clock is still fake: left to the usual cleanup, the polling job screen
  // keeps the worker spinning after the switch back to real timers.
  afterEach(() => {
    screen.unmount();
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  test('a connection that dies without closing is said within 15 s, and the upload starts again from the server\'s offset', async () => {
    const tus = installTusServer({ base: BASE, jobId: 'job-8' });
    installFetch({
      'GET /api/uploads/u1': accepted('job-8'),
      'GET /api/results/job/job-8': () => ({ status: 200, body: job({ id: 'job-8', progress: 0 }) }),
    });
    await signInAs();
    renderApp('/');
    await pickBeach();
    // The first chunk goes out, the server keeps 2 MB of it, and then nothing: no answer, no error.
    tus.hangNextPatch(2_000_000, true);
    fireEvent.press(screen.getByTestId('upload-button'));
    await act(async () => {
      await jest.advanceTimersByTimeAsync(1000);
    });
    expect(tus.of('PATCH')).toHaveLength(1);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(12_000);
    });
    // Quiet for 13 s: still uploading, as far as anyone can tell.
    expect(screen.queryByText('Offline')).toBeNull();
    await act(async () => {
      await jest.advanceTimersByTimeAsync(3000);
    });
    // Past 15 s without a sign of life: said at once, as any outage is, and asked again (HEAD).
    expect(screen.getByText('Offline')).toBeTruthy();
    expect(screen.getByTestId('upload-status')).toHaveTextContent(/waiting for the server\. It carries on by itself/);
    expect(tus.of('HEAD').length).toBeGreaterThan(0);

    // The network is back; nobody taps anything: it carries on from what the server kept.
    tus.setDown(false);
    await act(async () => {
      await jest.advanceTimersByTimeAsync(10_000);
    });
    expect(await screen.findByTestId('job-screen')).toBeTruthy();
    const patches = tus.of('PATCH').map((r) => r.headers['Upload-Offset']);
    expect(patches.slice(0, 2)).toEqual(['0', '2000000']);
    expect(tus.of('POST')).toHaveLength(1);
    expect(tus.uploads.get('u1')!.offset).toBe(SIZE);
  });
});
