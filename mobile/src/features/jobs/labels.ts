import { ApiError } from '@/lib/errors';
import type { Job, JobPhase, JobStatus } from '@/lib/types';

import { colors } from '@/ui/theme';

const PHASES: Record<JobPhase, string> = {
  queued: 'Waiting for a worker',
  fetching: 'Downloading the video',
  probing: 'Reading the video',
  analyzing: 'Analysing frames',
  finalizing: 'Putting the results together',
  done: 'Done',
};

const STATUSES: Record<JobStatus, { label: string; color: string; background: string }> = {
  queued: { label: 'Queued', color: colors.muted, background: colors.background },
  processing: { label: 'Analysing', color: colors.accent, background: colors.accentSoft },
  completed: { label: 'Ready', color: colors.success, background: colors.successSoft },
  failed: { label: 'Failed', color: colors.danger, background: colors.dangerSoft },
  cancelled: { label: 'Cancelled', color: colors.muted, background: colors.background },
};

export function phaseLabel(phase: JobPhase): string {
  return PHASES[phase] ?? phase;
}

export function statusStyle(status: JobStatus) {
  return STATUSES[status] ?? STATUSES.queued;
}

/** The server writes American English; the app's own words are British: one spelling per card. */
function houseSpelling(text: string): string {
  return text.replace(/\b([Aa])naly([sz])(e|ed|es|ing)\b/g, (_m, a: string, _z: string, end: string) => `${a}nalys${end}`);
}

/** The line under the progress bar: the server's message when it has one. */
export function progressMessage(job: Job): string {
  if (job.status === 'queued') return houseSpelling(job.message || 'Your video is in line and will start shortly.');
  return houseSpelling(job.message || phaseLabel(job.phase));
}

/** A failed job's reason, shown like any other error (its code gives the title). */
export function jobError(job: Job): ApiError {
  return new ApiError(job.error?.code ?? 'internal_error', job.error?.message ?? 'The analysis failed.', 0);
}
