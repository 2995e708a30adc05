import Constants from 'expo-constants';
import * as Notifications from 'expo-notifications';
import { Platform } from 'react-native';

import type { Api } from '@/lib/api';

import { ensureJobsChannel } from './configure';

export type PushRegistration =
  | { status: 'registered'; token: string }
  | { status: 'denied' }
  | { status: 'unsupported' }
  /** Not asked yet: the app explains first, when the first upload starts. */
  | { status: 'undetermined' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The EAS project id from app config (extra.eas.projectId), which push tokens are issued for. */
export function easProjectId(): string | null {
  const extra: unknown = Constants.expoConfig?.extra;
  const eas = isRecord(extra) ? extra.eas : undefined;
  const fromExtra = isRecord(eas) && typeof eas.projectId === 'string' ? eas.projectId : null;
  return fromExtra || Constants.easConfig?.projectId || null;
}

/**
 * Gets the Expo push token and gives it to the server; the OS prompt is shown only when `ask`
 * (after the app's own explanation). Throws so a failure is retried.
 */
export async function registerForPushAsync(api: Api, ask = false): Promise<PushRegistration> {
  // Android 13 only shows the permission prompt once a channel exists.
  if (Platform.OS === 'android') await ensureJobsChannel();
  let { status } = await Notifications.getPermissionsAsync();
  if (status === 'undetermined' && !ask) return { status: 'undetermined' };
  if (status !== 'granted' && ask) ({ status } = await Notifications.requestPermissionsAsync());
  if (status !== 'granted') return { status: 'denied' };
  const projectId = easProjectId();
  if (!projectId) throw new Error('Notifications are off: the app config has no EAS project id.');
  const { data: token } = await Notifications.getExpoPushTokenAsync({ projectId });
  await api.registerPushToken(token, Platform.OS);
  return { status: 'registered', token };
}
