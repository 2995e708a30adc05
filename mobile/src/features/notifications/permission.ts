import * as Notifications from 'expo-notifications';

/** True when the system has never asked: the app explains first, then lets the system ask. */
export async function pushNeverAsked(): Promise<boolean> {
  const { status } = await Notifications.getPermissionsAsync().catch(() => ({ status: 'denied' as const }));
  return status === 'undetermined';
}
