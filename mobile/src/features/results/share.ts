import { Platform, Share } from 'react-native';

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

export type ShareOutcome = 'shared' | 'copied' | 'shown';

/**
 * The system share sheet where there is one (phones; browsers with the Web Share API); else the
 * clipboard; else the caller shows the text to copy by hand. Never nothing.
 */
export async function shareOrCopy(message: string, title: string): Promise<ShareOutcome> {
  const nav: Partial<Navigator> | undefined = typeof navigator === 'undefined' ? undefined : navigator;
  if (Platform.OS !== 'web' || typeof nav?.share === 'function') {
    try {
      await Share.share({ message, title });
      return 'shared';
    } catch {
      // Dismissed or refused: fall through to the clipboard on the web.
      if (Platform.OS !== 'web') return 'shown';
    }
  }
  try {
    if (!nav?.clipboard) return 'shown';
    await nav.clipboard.writeText(message);
    return 'copied';
  } catch {
    return 'shown';
  }
}
