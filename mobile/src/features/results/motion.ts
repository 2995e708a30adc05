import { formatDuration } from '@/lib/format';
import type { Highlight } from '@/lib/types';

export interface Bar {
  value: number;
  startS: number;
  endS: number;
  highlight: boolean;
}

/** The narrowest bar (and gap) a person can still see, in points. */
export const MIN_BAR_PT = 3;
export const GAP_PT = 1;

/** How many bars fit in `width` points, each at least MIN_BAR_PT wide with a GAP_PT gap. */
export function barsThatFit(width: number): number {
  return Math.max(1, Math.floor((width + GAP_PT) / (MIN_BAR_PT + GAP_PT)));
}

/**
 * Motion per interval folded into at most `maxBars` bars: each bar is its seconds' peak (a burst
 * of motion must not vanish in an average), and is a highlight if any of them is.
 */
export function bucketMotion(values: number[], intervalS: number, highlights: Highlight[], maxBars: number): Bar[] {
  const per = Math.max(1, Math.ceil(values.length / Math.max(1, maxBars)));
  const bars: Bar[] = [];
  for (let first = 0; first < values.length; first += per) {
    const slice = values.slice(first, first + per);
    const startS = first * intervalS;
    const endS = (first + slice.length) * intervalS;
    bars.push({
      value: Math.max(...slice),
      startS,
      endS,
      highlight: highlights.some((h) => h.start_s < endS && h.end_s > startS),
    });
  }
  return bars;
}

/** What a screen reader says about the chart: how long, and where the motion is. */
export function describeMotion(bars: Bar[], highlights: Highlight[]): string {
  if (bars.length === 0) return 'No motion data.';
  const duration = bars[bars.length - 1]!.endS;
  const peak = bars.reduce((best, bar) => (bar.value > best.value ? bar : best), bars[0]!);
  const parts = [`Motion over ${formatDuration(duration)}`];
  if (peak.value > 0) parts.push(`most motion at ${formatDuration(peak.startS)}`);
  if (highlights.length > 0) {
    const times = [...highlights].sort((a, b) => a.start_s - b.start_s).map((h) => formatDuration(h.start_s));
    parts.push(`highlights at ${times.join(', ')}`);
  }
  return `${parts.join('; ')}.`;
}
