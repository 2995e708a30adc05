import type { AnalysisResult, Job, JobWithResult } from '@/lib/types';

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    status: 'processing',
    phase: 'analyzing',
    progress: 40,
    message: 'Analyzing 0:16 of 0:42',
    attempts: 1,
    video: { filename: 'beach.mov', size_bytes: 45_415_891, content_type: 'video/quicktime' },
    created_at: '2026-11-22T10:00:00Z',
    started_at: '2026-11-22T10:00:01Z',
    updated_at: '2026-11-22T10:00:05Z',
    finished_at: null,
    error: null,
    links: { self: '/api/jobs/job-1', result: '/api/jobs/job-1/result', events: '/api/jobs/job-1/events' },
    ...overrides,
  };
}

export function result(jobId: string): AnalysisResult {
  return {
    job_id: jobId,
    analyzer_version: '1.0',
    frames_analyzed: 1260,
    analysis_seconds: 3.2,
    video: {
      duration_s: 42,
      fps: 30,
      variable_frame_rate: false,
      frame_count: 1260,
      width: 1920,
      height: 1080,
      rotation: 0,
      display_width: 1920,
      display_height: 1080,
      codec: 'h264',
      profile: 'High',
      bit_rate: 8_000_000,
      container: 'mov,mp4',
    },
    audio: null,
    scenes: [
      { index: 0, start_s: 0, end_s: 20, thumbnail_url: `/api/jobs/${jobId}/thumbnails/0.jpg` },
      { index: 1, start_s: 20, end_s: 42, thumbnail_url: `/api/jobs/${jobId}/thumbnails/1.jpg` },
    ],
    motion: { interval_s: 1, values: [0.1, 0.4, 0.8, 0.2] },
    highlights: [{ start_s: 1, end_s: 3, score: 0.8 }],
    quality: {
      brightness_mean: 0.2,
      sharpness: 100,
      warnings: [{ code: 'too_dark', message: 'Most of the clip is too dark to see.' }],
    },
  };
}

export function completedJob(id = 'job-1'): JobWithResult {
  return { ...job({ id, status: 'completed', phase: 'done', progress: 100, message: 'Analysis complete' }), result: result(id) };
}
