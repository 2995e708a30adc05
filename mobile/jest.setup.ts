/**
 * Native modules the app touches are replaced here: device storage (keychain) by a map and the OS
 * notification centre by a fake the tests drive. The network is NOT mocked here: each test stubs
 * global fetch (or the native upload task) itself, so the app's own client is exercised.
 */
const mockSecureStore = new Map<string, string>();

jest.mock('expo-secure-store', () => ({
  getItemAsync: jest.fn(async (key: string) => mockSecureStore.get(key) ?? null),
  setItemAsync: jest.fn(async (key: string, value: string) => {
    mockSecureStore.set(key, value);
  }),
  deleteItemAsync: jest.fn(async (key: string) => {
    mockSecureStore.delete(key);
  }),
}));

jest.mock('expo-notifications', () => jest.requireActual('./src/testing/mockNotifications'));

beforeEach(() => {
  mockSecureStore.clear();
  jest.requireMock<typeof import('./src/testing/mockNotifications')>('expo-notifications').notificationTestControls.reset();
});
