/**
 * The server's documents. The job, batch, auth and health documents are the types generated from
 * the server's OpenAPI document (api.gen.ts, `bash mobile/scripts/api-types.sh`; the checks fail
 * when it differs from the server's). The analysis result is written here because the app also
 * reads results of analyzer 1.0, which lack the 2.0 fields the document marks as required; a
 * type-level check below keeps it compatible with the generated one.
 */
import type { components } from './api.gen';

type Schemas = components['schemas'];

export type JobStatus = Schemas['JobStatus'];
/** `fetching`: a job submitted by URL downloads its video before the analysis. */
export type JobPhase = Schemas['JobPhase'];
export type User = Schemas['UserOut'];
export type AuthResponse = Schemas['AuthOut'];
export type JobError = Schemas['ErrorBody'];
export type Job = Schemas['JobOut'] & { deduplicated?: boolean };

export interface VideoInfo {
  duration_s: number;
  fps: number;
  variable_frame_rate: boolean;
  frame_count: number;
  width: number;
  height: number;
  rotation: number;
  display_width: number;
  display_height: number;
  codec: string;
  profile: string | null;
  bit_rate: number | null;
  container: string | null;
}

export interface AudioInfo {
  codec: string;
  channels: number;
  sample_rate: number;
  rms_dbfs: number | null;
  silent: boolean;
  per_second_dbfs?: number[];
  /** EBU R128, analyzer 2.0 on; absent in older results. */
  loudness?: Loudness | null;
}

export interface Loudness {
  integrated_lufs: number | null;
  range_lu: number | null;
  true_peak_dbtp: number | null;
  clipped_samples: number;
}

export type SceneKind = 'cut' | 'dissolve' | 'fade' | 'wipe';
export type CueKind = 'black' | 'freeze' | 'silence';

/** A technical segment, as a broadcaster's QC report lists them. */
export interface Cue {
  kind: CueKind;
  start_s: number;
  end_s: number;
}

export interface Scene {
  index: number;
  start_s: number;
  end_s: number;
  thumbnail_url: string | null;
  /** How the scene began (analyzer 2.0 on); gradual ones carry their span. */
  kind?: SceneKind;
  transition_start_s?: number | null;
  transition_end_s?: number | null;
}

export interface Highlight {
  start_s: number;
  end_s: number;
  score: number;
}

export interface QualityWarning {
  code: string;
  message: string;
}

export interface AnalysisResult {
  job_id: string;
  analyzer_version: string;
  frames_analyzed: number;
  analysis_seconds: number;
  video: VideoInfo;
  audio: AudioInfo | null;
  scenes: Scene[];
  motion: { interval_s: number; values: number[] };
  highlights: Highlight[];
  quality: { brightness_mean: number; sharpness: number; warnings: QualityWarning[] };
  /** Analyzer 2.0 on; results of analyzer 1.0 have neither. */
  cues?: Cue[];
  stability?: { interval_s: number; shake: number[] } | null;
}

/** `GET /api/results/job/{id}`: the job, plus its result once it completed. */
export type JobWithResult = Job & { result?: AnalysisResult | null };

/** Fails to compile when the server's result document no longer fits what the app reads. */
type Fits<Actual extends Expected, Expected> = Actual;
export type ServerResultFits = Fits<Schemas['JobResult'], AnalysisResult>;

export type JobPage = Schemas['JobList'];
export type UploadResponse = Schemas['UploadAccepted'];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** `GET /api/health`: enough to tell a Clipscope server from anything else at an address. */
export type Health = Schemas['Health'];
/** `POST /api/jobs/{id}/video-link`: a URL signed for this job and user, and how long it is valid. */
export type VideoLink = Schemas['VideoLinkOut'];

/** `GET /api/batches/{id}`: several videos followed together, with one aggregate progress. */
export type Batch = Schemas['BatchOut'];
export type BatchStatus = Batch['status'];
/** One video of a batch: its job, or why it was refused (the others go on). */
export type BatchPart = Schemas['BatchPart'];

export function isBatchTerminal(status: BatchStatus): boolean {
  return status !== 'queued' && status !== 'processing';
}
export type BatchPage = Schemas['BatchList'];
