import type { NotificationResponse } from 'expo-notifications';

/**
 * A stand-in for expo-notifications (a native module: the OS notification centre). Tests play the
 * OS: a tap that launched the app, a tap while it runs, the permission answer.
 */
type Listener = (response: NotificationResponse) => void;

const state = {
  lastResponse: null as NotificationResponse | null,
  listeners: [] as Listener[],
  tokenListeners: [] as ((token: { type: string; data: string }) => void)[],
  expoToken: 'ExponentPushToken[test]',
  permission: 'denied' as 'granted' | 'denied' | 'undetermined',
  /** What the user answers when the prompt is shown. */
  answer: 'denied' as 'granted' | 'denied',
};

export const AndroidImportance = { DEFAULT: 3, HIGH: 4, MAX: 5 };

export const setNotificationHandler = jest.fn();
export const setNotificationChannelAsync = jest.fn(async () => null);
export const getPermissionsAsync = jest.fn(async () => ({ status: state.permission }));
export const requestPermissionsAsync = jest.fn(async () => {
  if (state.permission === 'undetermined') state.permission = state.answer;
  return { status: state.permission };
});
export const getExpoPushTokenAsync = jest.fn(async () => ({ type: 'expo', data: state.expoToken }));
export const getLastNotificationResponse = jest.fn(() => state.lastResponse);
export const clearLastNotificationResponse = jest.fn(() => {
  state.lastResponse = null;
});
export const addPushTokenListener = jest.fn((listener: (token: { type: string; data: string }) => void) => {
  state.tokenListeners.push(listener);
  return { remove: () => state.tokenListeners.splice(state.tokenListeners.indexOf(listener), 1) };
});
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
  /** Not asked yet; the prompt, when shown, gets `answer`. */
  notAskedYet(answer: 'granted' | 'denied') {
    state.permission = 'undetermined';
    state.answer = answer;
  },
  get lastResponse() {
    return state.lastResponse;
  },
  /** The OS hands out a new push token (reinstall, restore, token rotation). */
  rotateToken(token: string) {
    state.expoToken = token;
    state.tokenListeners.forEach((listener) => listener({ type: 'ios', data: `device-${token}` }));
  },
  reset() {
    state.lastResponse = null;
    state.listeners = [];
    state.tokenListeners = [];
    state.permission = 'denied';
    state.answer = 'denied';
    state.expoToken = 'ExponentPushToken[test]';
  },
};
