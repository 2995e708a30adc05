import { fireEvent, screen, waitFor } from 'expo-router/testing-library';
import * as SecureStore from 'expo-secure-store';

import { installFetch } from '@/testing/fetchMock';
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

test('signing out forgets this device for push and returns to sign-in', async () => {
  notificationTestControls.grantPermission(true);
  const net = installFetch({
    'POST /api/push-tokens': () => ({ status: 201, body: {} }),
    'DELETE /api/push-tokens/ExponentPushToken%5Btest%5D': () => ({ status: 204 }),
    'POST /api/auth/logout': () => ({ status: 204 }),
  });
  await signInAs('tok', 'ana@example.com');
  renderApp('/settings');

  expect(await screen.findByText('ana@example.com')).toBeTruthy();
  expect(await screen.findByText('On: this device is told when an analysis ends.')).toBeTruthy();
  expect(net.count('POST', '/api/push-tokens')).toBe(1);

  fireEvent.press(screen.getByTestId('sign-out'));

  expect(await screen.findByTestId('sign-in-screen')).toBeTruthy();
  await waitFor(() => expect(net.count('DELETE', '/api/push-tokens/ExponentPushToken%5Btest%5D')).toBe(1));
  expect(net.count('POST', '/api/auth/logout')).toBe(1);
});

test('a server URL change is checked at /api/health, then kept', async () => {
  installFetch({ 'GET /api/health': () => ({ status: 200, body: { status: 'ok', database: true, queue_depth: 0 } }) });
  await signInAs();
  renderApp('/settings');

  const field = await screen.findByDisplayValue('https://clipscope.test');
  fireEvent.changeText(field, 'https://videos.example.org/');
  fireEvent.press(screen.getByText('Save'));

  expect(await screen.findByText('Saved')).toBeTruthy();
  expect(screen.getByTestId('settings-server-url').props.value).toBe('https://videos.example.org');
  expect(await SecureStore.getItemAsync('clipscope.serverUrl')).toBe('https://videos.example.org');
});
