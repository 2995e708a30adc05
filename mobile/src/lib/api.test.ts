import { createApi } from './api';
import { ApiError } from './errors';
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
