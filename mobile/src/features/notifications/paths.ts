import type { NotificationResponse } from 'expo-notifications';

/** Where a tapped notification leads: the results of its job (see design.md's push payload). */
export function resultsPathFor(response: NotificationResponse): string | null {
  const data = response.notification.request.content.data as Record<string, unknown> | null | undefined;
  const jobId = data?.job_id;
  if (typeof jobId === 'string' && jobId) return `/results/${encodeURIComponent(jobId)}`;
  // Only follow the payload's own url when it points at results: a push is no open redirect.
  const url = data?.url;
  if (typeof url === 'string' && /^\/results\/[\w-]+$/.test(url)) return url;
  return null;
}
