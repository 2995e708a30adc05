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
// Icon fonts are assets: jest-expo 58.0.3's asset registry does not know expo 58.0.x's font modules.
jest.mock('@expo/vector-icons', () => {
  const { Text } = jest.requireActual<typeof import('react-native')>('react-native');
  const Icon = ({ name }: { name: string }) => <Text>{`[${name}]`}</Text>;
  return { Ionicons: Icon };
});
jest.mock('expo-video', () => jest.requireActual('./src/testing/mockVideo'));

beforeEach(() => {
  mockSecureStore.clear();
  jest.requireActual<typeof import('./src/testing/videoControls')>('./src/testing/videoControls').videoTestControls.players.length = 0;
  jest.requireMock<typeof import('./src/testing/mockNotifications')>('expo-notifications').notificationTestControls.reset();
});
