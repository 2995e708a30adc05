import { formatDuration } from '@/lib/format';
import type { AnalysisResult } from '@/lib/types';

import { warningSentence } from './warnings';

/** The short text the system share sheet gets: what a person would paste into a chat. */
export function shareSummary(filename: string, result: AnalysisResult): string {
  const v = result.video;
  const highlights = [...result.highlights]
    .sort((a, b) => a.start_s - b.start_s)
    .map((h) => formatDuration(h.start_s))
    .join(', ');
  const lines = [
    `${filename}: ${formatDuration(v.duration_s)}, ${v.display_width}×${v.display_height}, ${result.scenes.length} ${result.scenes.length === 1 ? 'scene' : 'scenes'}.`,
    highlights ? `Highlights at ${highlights}.` : 'No highlights: the motion is even throughout.',
    ...result.quality.warnings.map(warningSentence),
    'Analysed by Clipscope.',
  ];
  return lines.join('\n');
}
