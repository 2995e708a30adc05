import * as Notifications from 'expo-notifications';
import { Platform } from 'react-native';

export const JOBS_CHANNEL_ID = 'jobs';

/** Show notifications that arrive while the app is open, and create the channel the server names. */
export function configureNotifications(): void {
  Notifications.setNotificationHandler({
    handleNotification: async () => ({
      shouldShowBanner: true,
      shouldShowList: true,
      shouldPlaySound: true,
      shouldSetBadge: false,
    }),
  });
  if (Platform.OS === 'android') void ensureJobsChannel().catch(() => undefined);
}

export function ensureJobsChannel(): Promise<unknown> {
  return Notifications.setNotificationChannelAsync(JOBS_CHANNEL_ID, {
    name: 'Analysis results',
    description: 'Tells you when a video has been analysed.',
    // eslint-disable-next-line import/namespace -- a re-exported enum the import resolver cannot follow
    importance: Notifications.AndroidImportance.HIGH,
  });
}
