import { barsThatFit, bucketMotion, describeMotion, GAP_PT, MIN_BAR_PT } from './motion';

const tenMinutes = Array.from({ length: 600 }, (_, i) => (i % 60) / 60);
const highlight = { start_s: 300, end_s: 303, score: 0.9 };

test.each([320, 400, 1024])('a 10-minute clip at %p points: every bar is at least 3 points wide', (width) => {
  const plot = width - 64; // the card's padding on a phone
  const bars = bucketMotion(tenMinutes, 1, [highlight], barsThatFit(plot));
  const barWidth = (plot - GAP_PT * (bars.length - 1)) / bars.length;
  expect(barWidth).toBeGreaterThanOrEqual(MIN_BAR_PT);
  expect(bars[bars.length - 1]!.endS).toBe(600);
  // The 3-second highlight survives the folding.
  expect(bars.filter((b) => b.highlight).length).toBeGreaterThanOrEqual(1);
});

test('a bucket keeps its peak, so a burst of motion does not vanish in an average', () => {
  const values = [0, 0, 0, 1, 0, 0, 0, 0];
  const bars = bucketMotion(values, 1, [], 2);
  expect(bars.map((b) => b.value)).toEqual([1, 0]);
});

test('short clips keep one bar per second', () => {
  expect(bucketMotion([0.1, 0.2, 0.3], 1, [], 80)).toHaveLength(3);
});

test('the chart says where the motion is, in m:ss', () => {
  const bars = bucketMotion([0, 0.2, 0.9, 0.1], 30, [{ start_s: 60, end_s: 90, score: 1 }], 80);
  expect(describeMotion(bars, [{ start_s: 60, end_s: 90, score: 1 }])).toBe(
    'Motion over 2:00; highlights from 1:00 to 1:30; the single strongest moment at 1:00.',
  );
});
