import { Platform, Share } from 'react-native';

import { shareOrCopy } from './share';

afterEach(() => jest.restoreAllMocks());

test('phones open the system share sheet', async () => {
  const share = jest.spyOn(Share, 'share').mockResolvedValue({ action: 'sharedAction', activityType: undefined });
  expect(await shareOrCopy('text', 'title')).toBe('shared');
  expect(share).toHaveBeenCalledWith({ message: 'text', title: 'title' });
});

describe('a browser without the Web Share API', () => {
  const nav = globalThis.navigator as Navigator & { share?: unknown };
  let clipboard: PropertyDescriptor | undefined;
  beforeEach(() => {
    jest.replaceProperty(Platform, 'OS', 'web');
    clipboard = Object.getOwnPropertyDescriptor(nav, 'clipboard');
  });
  afterEach(() => {
    if (clipboard) Object.defineProperty(nav, 'clipboard', clipboard);
    else delete (nav as unknown as Record<string, unknown>).clipboard;
  });

  test('copies the summary', async () => {
    const share = jest.spyOn(Share, 'share');
    const writeText = jest.fn(async () => undefined);
    Object.defineProperty(nav, 'clipboard', { value: { writeText }, configurable: true });
    expect(nav.share).toBeUndefined();
    expect(await shareOrCopy('the summary', 'clip.mp4')).toBe('copied');
    expect(writeText).toHaveBeenCalledWith('the summary');
    expect(share).not.toHaveBeenCalled();
  });

  test('without a clipboard either, the summary is shown to copy by hand', async () => {
    Object.defineProperty(nav, 'clipboard', { value: undefined, configurable: true });
    expect(await shareOrCopy('the summary', 'clip.mp4')).toBe('shown');
  });
});
