import type { NotificationResponse } from 'expo-notifications';

/**
 * A stand-in for expo-notifications (a native module: the OS notification centre). Tests play the
 * OS: a tap that launched the app, a tap while it runs, the permission answer.
 */
type Listener = (response: NotificationResponse) => void;

const state = {
  lastResponse: null as NotificationResponse | null,
  listeners: [] as Listener[],
  permission: 'denied' as 'granted' | 'denied' | 'undetermined',
};

export const AndroidImportance = { DEFAULT: 3, HIGH: 4, MAX: 5 };

export const setNotificationHandler = jest.fn();
export const setNotificationChannelAsync = jest.fn(async () => null);
export const getPermissionsAsync = jest.fn(async () => ({ status: state.permission }));
export const requestPermissionsAsync = jest.fn(async () => ({ status: state.permission }));
export const getExpoPushTokenAsync = jest.fn(async () => ({ type: 'expo', data: 'ExponentPushToken[test]' }));
export const getLastNotificationResponse = jest.fn(() => state.lastResponse);
export const addNotificationResponseReceivedListener = jest.fn((listener: Listener) => {
  state.listeners.push(listener);
  return { remove: () => state.listeners.splice(state.listeners.indexOf(listener), 1) };
});

/** A notification as the server sends it for a finished job (design.md's payload). */
export function jobNotification(jobId: string, identifier = `n-${jobId}`): NotificationResponse {
  const response = {
    actionIdentifier: 'expo.modules.notifications.actions.DEFAULT',
    notification: {
      date: Date.now(),
      request: {
        identifier,
        trigger: { type: 'push' },
        content: {
          title: 'Your video is analysed',
          body: 'beach.mov: 2 scenes, 0:42',
          data: { job_id: jobId, status: 'completed', url: `/results/${jobId}` },
        },
      },
    },
  };
  // The library's type carries many platform fields the app never reads.
  return response as unknown as NotificationResponse;
}

export const notificationTestControls = {
  launchedBy(response: NotificationResponse | null) {
    state.lastResponse = response;
  },
  tap(response: NotificationResponse) {
    state.lastResponse = response;
    state.listeners.forEach((listener) => listener(response));
  },
  grantPermission(granted: boolean) {
    state.permission = granted ? 'granted' : 'denied';
  },
  reset() {
    state.lastResponse = null;
    state.listeners = [];
    state.permission = 'denied';
  },
};
