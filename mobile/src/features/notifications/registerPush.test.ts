import { createApi } from '@/lib/api';
import { installFetch } from '@/testing/fetchMock';
import { notificationTestControls } from '@/testing/mockNotifications';

import { registerForPushAsync } from './registerPush';

jest.mock('expo-constants', () => ({
  __esModule: true,
  default: { expoConfig: { extra: { eas: { projectId: 'eas-project-1' } } } },
}));

const api = createApi({ baseUrl: 'https://clipscope.test', token: 't' });

test('sends the Expo push token to the server once permission is granted', async () => {
  notificationTestControls.grantPermission(true);
  const posted: unknown[] = [];
  installFetch({
    'POST /api/push-tokens': ({ body }) => {
      posted.push(body);
      return { status: 201, body: {} };
    },
  });

  await expect(registerForPushAsync(api)).resolves.toEqual({ status: 'registered', token: 'ExponentPushToken[test]' });
  expect(posted).toEqual([{ token: 'ExponentPushToken[test]', platform: 'ios' }]);
});

test('a refused permission is an answer, not an error to retry', async () => {
  notificationTestControls.grantPermission(false);
  const net = installFetch({});
  await expect(registerForPushAsync(api)).resolves.toEqual({ status: 'denied' });
  expect(net.calls).toHaveLength(0);
});

test('a server failure rejects, so the query retries it later', async () => {
  notificationTestControls.grantPermission(true);
  installFetch({
    'POST /api/push-tokens': () => ({ status: 503, body: { error: { code: 'unavailable', message: 'Try later.' } } }),
  });
  await expect(registerForPushAsync(api)).rejects.toThrow('Try later.');
});
