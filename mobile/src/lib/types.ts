/** The server's documents, as design.md's HTTP contract describes them. */

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
/** `fetching`: a job submitted by URL downloads its video before the analysis. */
export type JobPhase = 'queued' | 'fetching' | 'probing' | 'analyzing' | 'finalizing' | 'done';

export interface User {
  id: string | number;
  email: string;
  created_at: string;
}

export interface AuthResponse {
  token: string;
  user: User;
}

export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  status: JobStatus;
  phase: JobPhase;
  progress: number;
  message: string | null;
  attempts: number;
  video: { filename: string; size_bytes: number; content_type: string | null };
  created_at: string;
  started_at: string | null;
  updated_at: string | null;
  finished_at: string | null;
  error: JobError | null;
  deduplicated?: boolean;
}

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
export interface JobWithResult extends Job {
  result?: AnalysisResult | null;
}

export interface JobPage {
  jobs: Job[];
  next_cursor: string | null;
}

export interface UploadResponse {
  job_id: string;
  status: JobStatus;
  status_url: string;
  result_url: string;
  job: Job;
  deduplicated?: boolean;
}

export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** `GET /api/health`: enough to tell a Clipscope server from anything else at an address. */
export interface Health {
  status: 'ok' | 'degraded';
  database: boolean;
  queue_depth: number | null;
}

export type BatchStatus = 'queued' | 'processing' | 'completed' | 'partial' | 'failed' | 'cancelled';

/** One video of a batch: its job, or why it was refused (the others go on). */
export interface BatchPart {
  index: number;
  filename: string;
  job_id: string | null;
  deduplicated: boolean;
  error: JobError | null;
}

/** `GET /api/batches/{id}`: several videos followed together, with one aggregate progress. */
export interface Batch {
  id: string;
  status: BatchStatus;
  progress: number;
  total: number;
  counts: Record<JobStatus, number>;
  parts: BatchPart[];
  jobs: Job[];
  created_at: string;
  finished_at: string | null;
}

export function isBatchTerminal(status: BatchStatus): boolean {
  return status !== 'queued' && status !== 'processing';
}

export interface BatchPage {
  batches: Batch[];
  next_cursor: string | null;
}
