function themeFor(scheme: 'light' | 'dark' | null) {
  let theme: typeof import('./theme') | undefined;
  jest.isolateModules(() => {
    const { Appearance } = jest.requireActual<typeof import('react-native')>('react-native');
    jest.spyOn(Appearance, 'getColorScheme').mockReturnValue(scheme);
    theme = jest.requireActual<typeof import('./theme')>('./theme');
  });
  return theme!;
}

afterEach(() => jest.restoreAllMocks());

test('the palette follows the system: dark when the system is dark', () => {
  const dark = themeFor('dark');
  expect(dark.scheme).toBe('dark');
  expect(dark.colors.background).toBe('#0B0F19');
  expect(dark.type.body.color).toBe(dark.colors.text);
});

test('light when the system is light or says nothing', () => {
  expect(themeFor('light').colors.background).toBe('#F5F6FA');
  expect(themeFor(null).scheme).toBe('light');
});
