import { renderRouter } from 'expo-router/testing-library';
import * as SecureStore from 'expo-secure-store';

import RootLayout from '@/app/_layout';
import TabsLayout from '@/app/(tabs)/_layout';
import HistoryRoute from '@/app/(tabs)/history';
import UploadRoute from '@/app/(tabs)/index';
import SettingsRoute from '@/app/(tabs)/settings';
import BatchRoute from '@/app/batches/[id]';
import JobRoute from '@/app/jobs/[id]';
import ResultsRoute from '@/app/results/[id]';
import SignInRoute from '@/app/sign-in';
import { STORAGE_KEYS } from '@/lib/config';

/** The real route tree (src/app), rendered by Expo Router's own test renderer. */
export const routes = {
  _layout: RootLayout,
  '(tabs)/_layout': TabsLayout,
  '(tabs)/index': UploadRoute,
  '(tabs)/history': HistoryRoute,
  '(tabs)/settings': SettingsRoute,
  'jobs/[id]': JobRoute,
  'results/[id]': ResultsRoute,
  'batches/[id]': BatchRoute,
  'sign-in': SignInRoute,
};

export const TEST_SERVER = 'https://clipscope.test';

export async function signInAs(token = 'token-1', email = 'ana@example.com'): Promise<void> {
  await SecureStore.setItemAsync(STORAGE_KEYS.token, token);
  await SecureStore.setItemAsync(STORAGE_KEYS.email, email);
  await SecureStore.setItemAsync(STORAGE_KEYS.serverUrl, TEST_SERVER);
}

export function renderApp(initialUrl = '/') {
  return renderRouter(routes, { initialUrl });
}
