import { useLocalSearchParams, useRouter } from 'expo-router';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { progressMessage } from '@/features/jobs/labels';
import { StatusPill } from '@/features/jobs/StatusPill';
import { ScreenHeader } from '@/features/shell/ScreenHeader';
import { useManualRefresh } from '@/features/shell/useManualRefresh';
import { ApiError } from '@/lib/errors';
import { queryProblem } from '@/lib/problem';
import type { Batch, BatchPart, Job } from '@/lib/types';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { FileName } from '@/ui/FileName';
import { ProgressBar } from '@/ui/ProgressBar';
import { Screen } from '@/ui/Screen';
import { MIN_TAP, colors, space, type } from '@/ui/theme';

import { useBatch } from './queries';

/** One sentence for the whole batch: how many are done, and how it ended. */
export function batchSummary(batch: Batch): string {
  const done = batch.counts.completed;
  const videos = batch.total === 1 ? 'video' : 'videos';
  switch (batch.status) {
    case 'completed':
      return `${batch.total} ${videos} analysed.`;
    case 'partial':
      return `${done} of ${batch.total} ${videos} analysed; the others failed or were cancelled.`;
    case 'failed':
      return `None of the ${batch.total} ${videos} could be analysed.`;
    case 'cancelled':
      return 'You cancelled this batch.';
    default:
      return `${done} of ${batch.total} ${videos} analysed so far.`;
  }
}

export function BatchScreen() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const batch = useBatch(id);
  const { data } = batch;
  const error = queryProblem(batch);
  const { refresh, refreshing } = useManualRefresh(batch);
  const header = <ScreenHeader title="Batch" onRefresh={refresh} refreshing={refreshing} />;
  if (!data) {
    return (
      <Screen testID="batch-screen">
        {header}
        {error ? <ErrorNotice error={error} onRetry={refresh} /> : <Text style={type.body}>Loading the batch…</Text>}
      </Screen>
    );
  }
  const jobs = new Map(data.jobs.map((job) => [job.id, job]));
  return (
    <Screen testID="batch-screen">
      {header}
      <Card title="Batch">
        <ProgressBar percent={data.progress} label="Batch progress" testID="batch-progress" />
        <Text style={type.body} testID="batch-summary">
          {batchSummary(data)}
        </Text>
      </Card>
      <Card title="Videos">
        {data.parts.map((part) => (
          <PartRow key={part.index} part={part} job={part.job_id ? jobs.get(part.job_id) : undefined} />
        ))}
      </Card>
      {error ? <ErrorNotice error={error} /> : null}
    </Screen>
  );
}

function PartRow({ part, job }: { part: BatchPart; job: Job | undefined }) {
  const router = useRouter();
  if (part.error || !job) {
    const refusal = new ApiError(part.error?.code ?? 'error', part.error?.message ?? 'This video was not accepted.', 400);
    return (
      <View style={styles.row} testID={`batch-part-${part.index}`}>
        <FileName name={part.filename} style={type.body} lines={1} />
        <ErrorNotice error={refusal} />
      </View>
    );
  }
  return (
    <Pressable
      style={styles.row}
      onPress={() => router.push(job.status === 'completed' ? `/results/${job.id}` : `/jobs/${job.id}`)}
      accessibilityRole="button"
      accessibilityLabel={`${part.filename}, ${job.progress} %, open`}
      testID={`batch-part-${part.index}`}
    >
      <View style={styles.head}>
        <FileName name={part.filename} style={[type.body, styles.name]} lines={1} />
        <StatusPill status={job.status} />
      </View>
      <ProgressBar percent={job.status === 'completed' ? 100 : job.progress} label={`${part.filename} progress`} />
      <Text style={type.small} numberOfLines={2}>
        {part.deduplicated ? 'You uploaded this video before: this is the earlier analysis.' : progressMessage(job)}
      </Text>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  row: { gap: space.xs, minHeight: MIN_TAP, paddingVertical: space.xs, borderBottomColor: colors.border, borderBottomWidth: StyleSheet.hairlineWidth },
  head: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  name: { flex: 1 },
});
