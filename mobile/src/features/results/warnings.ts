import type { QualityWarning } from '@/lib/types';

/** Sentences for the codes we know, in case a server sends a code without its message. */
const SENTENCES: Record<string, string> = {
  too_dark: 'Most of the clip is too dark to see.',
  too_bright: 'Most of the clip is overexposed.',
  blurry: 'The picture is blurry for much of the clip.',
  shaky: 'The camera shakes a lot.',
  silent: 'The clip has no audible sound.',
  low_resolution: 'The resolution is low; details will be hard to make out.',
  low_frame_rate: 'The frame rate is low, so motion may look choppy.',
  too_quiet: 'The sound is too quiet: it will be hard to hear without turning the volume up.',
  clipping: 'The sound is clipped: the loudest parts are distorted.',
};

function humanize(code: string): string {
  const words = code.replace(/_/g, ' ').trim();
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}.` : 'A quality problem was found.';
}

export function warningSentence(warning: QualityWarning): string {
  return warning.message?.trim() || SENTENCES[warning.code] || humanize(warning.code);
}
