import { formatBytes, formatDuration, formatFps } from './format';

test.each([
  [512, '512 B'],
  [2048, '2.0 KB'],
  [45_415_891, '45 MB'],
  [202_064_138, '202 MB'],
  [3 * 1000 ** 3, '3.0 GB'],
  [null, '—'],
])('formatBytes(%p) is %p', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

test.each([
  [42, '0:42'],
  [605, '10:05'],
  [3723, '1:02:03'],
  [Number.NaN, '—'],
])('formatDuration(%p) is %p', (s, text) => expect(formatDuration(s)).toBe(text));

test('frame rates drop needless decimals', () => {
  expect(formatFps(30)).toBe('30 fps');
  expect(formatFps(29.97)).toBe('29.97 fps');
});
