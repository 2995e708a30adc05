import { createApi } from './api';
import { ApiError, errorTitle, isOutage, messageOf } from './errors';
import { retryDelay, shouldRetry } from './queryClient';
import { installFetch, installOfflineFetch } from '@/testing/fetchMock';

test('sends the bearer token and reads the job document', async () => {
  const net = installFetch({
    'GET /api/results/job/abc': () => ({ status: 200, body: { id: 'abc', status: 'queued' } }),
  });
  const api = createApi({ baseUrl: 'https://clipscope.test/', token: 'tok' });
  await expect(api.getJob('abc')).resolves.toMatchObject({ id: 'abc' });
  expect(net.calls[0]?.headers.Authorization).toBe('Bearer tok');
});

test("turns the contract's error shape into an ApiError with the server's sentence", async () => {
  installFetch({
    'POST /api/jobs/abc/cancel': () => ({
      status: 409,
      body: { error: { code: 'job_already_finished', message: 'This job has already finished.' } },
    }),
  });
  const api = createApi({ baseUrl: 'https://clipscope.test', token: 'tok' });
  const error = await api.cancelJob('abc').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect(error).toMatchObject({ code: 'job_already_finished', status: 409, message: 'This job has already finished.' });
});

test('a 401 on a signed-in request reports the session as over; on login it does not', async () => {
  installFetch({
    'GET /api/jobs': () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'Sign in again.' } } }),
    'POST /api/auth/login': () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'Wrong password.' } } }),
  });
  const onUnauthorized = jest.fn();
  const api = createApi({ baseUrl: 'https://clipscope.test', token: 'tok', onUnauthorized });
  await expect(api.login('a@b.co', 'x')).rejects.toThrow('Wrong password.');
  expect(onUnauthorized).not.toHaveBeenCalled();
  await expect(api.listJobs()).rejects.toThrow('Sign in again.');
  expect(onUnauthorized).toHaveBeenCalledTimes(1);
});

test('no answer at all is reported as offline', async () => {
  installOfflineFetch();
  const api = createApi({ baseUrl: 'https://clipscope.test', token: null });
  await expect(api.listJobs()).rejects.toMatchObject({ code: 'offline', isOffline: true });
});

test('429 too_many_jobs is a clear refusal; 503 overloaded a quiet outage with its Retry-After', async () => {
  installFetch({
    'POST /api/jobs/abc/retry': () => ({
      status: 429,
      headers: { 'Retry-After': '30' },
      body: { error: { code: 'too_many_jobs', message: 'You have 5 analyses running; wait for one to finish.' } },
    }),
    'GET /api/results/job/abc': () => ({
      status: 503,
      headers: { 'Retry-After': '4' },
      body: { error: { code: 'overloaded', message: 'The server is busy.' } },
    }),
  });
  const api = createApi({ baseUrl: 'https://clipscope.test', token: 'tok' });

  const refused = await api.retryJob('abc').catch((e: unknown) => e);
  expect(errorTitle(refused)).toBe('Too many analyses at once');
  expect(messageOf(refused)).toBe('You have 5 analyses running; wait for one to finish.');
  expect(isOutage(refused)).toBe(false);

  const busy = await api.getJob('abc').catch((e: unknown) => e);
  expect(isOutage(busy)).toBe(true);
  expect(errorTitle(busy)).toBe('Server busy');
  expect((busy as ApiError).retryAfterS).toBe(4);
  expect(retryDelay(0, busy)).toBe(4000);
  expect(shouldRetry(50, busy)).toBe(true);
});
