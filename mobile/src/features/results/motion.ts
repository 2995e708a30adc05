import { formatDuration } from '@/lib/format';
import type { AnalysisResult, Highlight } from '@/lib/types';

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

/**
 * How far above the clip's noise floor (on the 0..1 motion scale) a highlight must rise to be
 * listed: below this its bar is empty to the eye. A tripod shot's sensor noise and compression
 * flicker score a few thousandths; a hand-held shot around 0.5.
 */
export const MIN_MOTION_RISE = 0.02;

/** The clip's noise floor: its quietest quarter (the lower quartile of its motion values). */
export function noiseFloor(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 4)]!;
}

/**
 * The highlights worth listing, in time order. A still picture has nothing that stands out: the
 * analyzer may still name its "strongest" seconds (scores of 0, a few thousandths of sensor
 * noise, or inside a frozen picture), which would show as empty bars beside "Frozen picture".
 * A highlight is listed only where its motion rises clearly above the clip's noise floor.
 */
export function meaningfulHighlights(result: AnalysisResult): Highlight[] {
  const threshold = noiseFloor(result.motion.values) + MIN_MOTION_RISE;
  const frozen = (result.cues ?? []).filter((cue) => cue.kind === 'freeze');
  const insideFreeze = (h: Highlight) => frozen.some((cue) => cue.start_s <= h.start_s && cue.end_s >= h.end_s);
  return result.highlights
    .filter((h) => h.score >= threshold && !insideFreeze(h))
    .sort((a, b) => a.start_s - b.start_s);
}

/**
 * What a screen reader says about the chart: how long, where the highlights are (the sustained
 * motion the list below names) and the single strongest moment, called by what it is so the two
 * never seem to disagree.
 */
export function describeMotion(bars: Bar[], highlights: Highlight[]): string {
  if (bars.length === 0) return 'No motion data.';
  const duration = bars[bars.length - 1]!.endS;
  const peak = bars.reduce((best, bar) => (bar.value > best.value ? bar : best), bars[0]!);
  const parts = [`Motion over ${formatDuration(duration)}`];
  if (highlights.length > 0) {
    const spans = [...highlights]
      .sort((a, b) => a.start_s - b.start_s)
      .map((h) => `${formatDuration(h.start_s)} to ${formatDuration(h.end_s)}`);
    parts.push(`highlights from ${spans.join(', ')}`);
  }
  if (peak.value > 0) parts.push(`the single strongest moment at ${formatDuration(peak.startS)}`);
  else parts.push('no motion: the picture stays still');
  return `${parts.join('; ')}.`;
}
