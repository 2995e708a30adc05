import type { AnalysisResult } from '@/lib/types';
import { result } from '@/testing/fixtures';

import { barsThatFit, bucketMotion, describeMotion, GAP_PT, MIN_BAR_PT, meaningfulHighlights } from './motion';

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

function withMotion(values: number[], highlights: AnalysisResult['highlights'], cues: AnalysisResult['cues'] = []): AnalysisResult {
  return { ...result('job-1'), motion: { interval_s: 1, values }, highlights, cues };
}

test('highlights in sensor noise are not meaningful, even outside a frozen stretch', () => {
  const noise = [0.003, 0.004, 0.002, 0.001, 0.002, 0.001, 0.002, 0.001];
  const named = [
    { start_s: 0, end_s: 2, score: 0.0035 },
    { start_s: 4, end_s: 6, score: 0.0015 },
  ];
  expect(meaningfulHighlights(withMotion(noise, named, [{ kind: 'freeze', start_s: 2, end_s: 8 }]))).toEqual([]);
  expect(meaningfulHighlights(withMotion(noise, named))).toEqual([]);
});

test('motion well above the clip\'s noise floor is listed, in time order', () => {
  const values = [0.002, 0.003, 0.002, 0.4, 0.6, 0.002, 0.003, 0.25, 0.002];
  const named = [
    { start_s: 3, end_s: 5, score: 0.5 },
    { start_s: 7, end_s: 8, score: 0.25 },
    { start_s: 0, end_s: 2, score: 0.0025 },
  ];
  expect(meaningfulHighlights(withMotion(values, named))).toEqual([named[0], named[1]]);
});
