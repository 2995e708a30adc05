/** The server's documents, as design.md's HTTP contract describes them. */

export type JobStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled';
export type JobPhase = 'queued' | 'probing' | 'analyzing' | 'finalizing' | 'done';

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
}

export interface Scene {
  index: number;
  start_s: number;
  end_s: number;
  thumbnail_url: string | null;
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
