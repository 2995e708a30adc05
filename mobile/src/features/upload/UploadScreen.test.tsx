import { act, fireEvent, screen, waitFor } from 'expo-router/testing-library';
import * as ImagePicker from 'expo-image-picker';
import * as Notifications from 'expo-notifications';

import { installFetch } from '@/testing/fetchMock';
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
 * On a phone the upload leaves through expo-file-system's native upload task, not fetch: that task
 * is the network layer here, and this stub plays it (progress events, then the server's answer).
 */
type Progress = (p: { bytesSent: number; totalBytes: number }) => void;
interface Attempt {
  url: string;
  headers: Record<string, string>;
  onProgress: Progress;
  finish: (answer: { status: number; body: string } | Error) => void;
}
const mockAttempts: Attempt[] = [];

jest.mock('expo-file-system', () => ({
  UploadType: { BINARY_CONTENT: 0, MULTIPART: 1 },
  File: class {
    createUploadTask(url: string, options: { headers: Record<string, string>; onProgress: Progress }) {
      let finish: Attempt['finish'] = () => undefined;
      const done = new Promise<{ status: number; body: string }>((resolve, reject) => {
        finish = (answer) => (answer instanceof Error ? reject(answer) : resolve(answer));
      });
      mockAttempts.push({ url, headers: options.headers, onProgress: options.onProgress, finish: (a) => finish(a) });
      return { uploadAsync: () => done };
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
  mockAttempts.length = 0;
  jest.mocked(ImagePicker.launchImageLibraryAsync).mockResolvedValue(picked as ImagePicker.ImagePickerResult);
});

async function pickBeach() {
  fireEvent.press(await screen.findByTestId('pick-video'));
  expect(await screen.findByText('beach.mov')).toBeTruthy();
}

test('shows the picked video, the upload progress, then opens the job', async () => {
  installFetch({ 'GET /api/results/job/job-42': () => ({ status: 200, body: job({ id: 'job-42', progress: 5 }) }) });
  await signInAs('tok-9');
  renderApp('/');

  await pickBeach();
  expect(screen.getByTestId('picked-size')).toHaveTextContent('43 MB');
  expect(screen.getByTestId('picked-duration')).toHaveTextContent('0:42');

  fireEvent.press(screen.getByTestId('upload-button'));
  await waitFor(() => expect(mockAttempts).toHaveLength(1));
  const attempt = mockAttempts[0]!;
  expect(attempt.url).toBe('https://clipscope.test/api/upload');
  expect(attempt.headers).toMatchObject({
    Authorization: 'Bearer tok-9',
    'X-Filename': 'beach.mov',
    'Content-Type': 'video/quicktime',
  });
  expect(attempt.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);

  act(() => attempt.onProgress({ bytesSent: 22_707_945, totalBytes: 45_415_891 }));
  expect(screen.getByTestId('upload-progress-percent')).toHaveTextContent('50 %');
  expect(screen.getByText('Uploading… 22 MB of 43 MB')).toBeTruthy();

  const accepted = { job_id: 'job-42', status: 'queued', status_url: '', result_url: '', job: job({ id: 'job-42', status: 'queued', phase: 'queued', progress: 0 }) };
  await act(async () => attempt.finish({ status: 202, body: JSON.stringify(accepted) }));

  expect(await screen.findByTestId('job-screen')).toBeTruthy();
  expect(screen).toHavePathname('/jobs/job-42');
});

test('an offline failure offers "Try again" with the same idempotency key; a refused file does not', async () => {
  installFetch({});
  await signInAs();
  renderApp('/');
  await pickBeach();

  fireEvent.press(screen.getByTestId('upload-button'));
  await waitFor(() => expect(mockAttempts).toHaveLength(1));
  await act(async () => mockAttempts[0]!.finish(new Error('The Internet connection appears to be offline.')));
  expect(await screen.findByText('Offline')).toBeTruthy();

  fireEvent.press(screen.getByText('Try again'));
  await waitFor(() => expect(mockAttempts).toHaveLength(2));
  expect(mockAttempts[1]!.headers['Idempotency-Key']).toBe(mockAttempts[0]!.headers['Idempotency-Key']);

  await act(async () =>
    mockAttempts[1]!.finish({
      status: 415,
      body: JSON.stringify({ error: { code: 'unsupported_media_type', message: 'This file is not a video we can read.' } }),
    }),
  );
  expect(await screen.findByText('This file is not a video we can read.')).toBeTruthy();
  expect(screen.getByTestId('error-title')).toHaveTextContent('Not a video we can read');
  expect(screen.queryByText('Try again')).toBeNull();
  expect(screen.getByTestId('choose-another')).toBeTruthy();
});

test('the server words a key still in use without naming the header', async () => {
  installFetch({});
  await signInAs();
  renderApp('/');
  await pickBeach();
  fireEvent.press(screen.getByTestId('upload-button'));
  await waitFor(() => expect(mockAttempts).toHaveLength(1));
  await act(async () =>
    mockAttempts[0]!.finish({
      status: 409,
      body: JSON.stringify({
        error: { code: 'idempotency_request_in_progress', message: 'An upload with this Idempotency-Key is still being received; wait for it to finish.' },
      }),
    }),
  );
  expect(await screen.findByText('Still uploading')).toBeTruthy();
  expect(screen.queryByText(/Idempotency/)).toBeNull();
});

test('the same video again says it opens the earlier analysis', async () => {
  installFetch({ 'GET /api/results/job/job-42': () => ({ status: 200, body: job({ id: 'job-42', progress: 30 }) }) });
  await signInAs();
  renderApp('/');
  await pickBeach();
  fireEvent.press(screen.getByTestId('upload-button'));
  await waitFor(() => expect(mockAttempts).toHaveLength(1));
  const earlier = job({ id: 'job-42', progress: 30 });
  await act(async () =>
    mockAttempts[0]!.finish({
      status: 200,
      body: JSON.stringify({ job_id: 'job-42', status: 'processing', status_url: '', result_url: '', job: earlier, deduplicated: true }),
    }),
  );
  expect(await screen.findByTestId('duplicate-notice')).toHaveTextContent(/You uploaded this video before/);
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

  fireEvent.press(screen.getByTestId('upload-button'));
  expect(await screen.findByTestId('push-explanation')).toBeTruthy();
  expect(mockAttempts).toHaveLength(0);
  fireEvent.press(screen.getByTestId('allow-push'));

  await waitFor(() => expect(mockAttempts).toHaveLength(1));
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
  expect(await screen.findByTestId('job-screen')).toBeTruthy();
});
