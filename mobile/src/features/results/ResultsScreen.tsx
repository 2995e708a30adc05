import { Link, useLocalSearchParams } from 'expo-router';
import { useRef } from 'react';
import { ActivityIndicator, RefreshControl, StyleSheet, Text, View, type ScrollViewInstance } from 'react-native';

import { jobError } from '@/features/jobs/labels';
import { useJob } from '@/features/jobs/queries';
import { StatusPill } from '@/features/jobs/StatusPill';
import { UnknownJob } from '@/features/jobs/UnknownJob';
import { ScreenHeader } from '@/features/shell/ScreenHeader';
import { useManualRefresh } from '@/features/shell/useManualRefresh';
import { ApiError } from '@/lib/errors';
import { queryProblem } from '@/lib/problem';
import type { JobWithResult } from '@/lib/types';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { FileName } from '@/ui/FileName';
import { Screen } from '@/ui/Screen';
import { colors, radius, space, type } from '@/ui/theme';

import { Report } from './Report';

export function ResultsScreen() {
  const { id, duplicate } = useLocalSearchParams<{ id: string; duplicate?: string }>();
  const job = useJob(id);
  const data = job.data;
  const missing = job.error instanceof ApiError && job.error.status === 404;
  const problem = queryProblem(job);
  const scroll = useRef<ScrollViewInstance>(null);
  const { refresh, refreshing } = useManualRefresh(job);

  return (
    <Screen
      testID="results-screen"
      scrollRef={scroll}
      refreshControl={<RefreshControl refreshing={refreshing} onRefresh={refresh} />}
    >
      <ScreenHeader title="Results" onRefresh={refresh} refreshing={refreshing} />
      {missing ? <UnknownJob /> : null}
      {problem && !missing ? <ErrorNotice error={problem} onRetry={refresh} /> : null}
      {!data && !problem ? <ActivityIndicator color={colors.accent} style={styles.loading} /> : null}
      {duplicate && data ? (
        <View style={styles.notice} testID="duplicate-notice">
          <Text style={type.body}>
            You uploaded this video before, so here is its earlier analysis instead of a new one.
          </Text>
        </View>
      ) : null}
      {data && !missing && data.status === 'completed' && data.result ? <Report job={data} result={data.result} scrollTo={(y) => scroll.current?.scrollTo({ y, animated: true })} /> : null}
      {data && !missing && (data.status !== 'completed' || !data.result) ? <NotReady job={data} /> : null}
    </Screen>
  );
}

/** Opened from a notification or the history for a job that has no results (yet). */
function NotReady({ job }: { job: JobWithResult }) {
  return (
    <Card>
      <View style={styles.header}>
        <FileName name={job.video.filename} style={[type.heading, styles.grow]} />
        <StatusPill status={job.status} />
      </View>
      {job.status === 'failed' ? <ErrorNotice error={jobError(job)} /> : null}
      {job.status === 'cancelled' ? <Text style={type.body}>This analysis was cancelled.</Text> : null}
      {job.status === 'completed' ? (
        <Text style={type.body}>The analysis finished, but its results are no longer available.</Text>
      ) : null}
      {job.status === 'queued' || job.status === 'processing' ? (
        <>
          <Text style={type.body}>The analysis is still running.</Text>
          <Link href={`/jobs/${job.id}`} style={styles.link}>
            Watch its progress
          </Link>
        </>
      ) : null}
    </Card>
  );
}

const styles = StyleSheet.create({
  loading: { marginTop: space.xxl },
  header: { flexDirection: 'row', alignItems: 'center', gap: space.md },
  grow: { flex: 1 },
  notice: { backgroundColor: colors.accentSoft, borderRadius: radius.md, padding: space.md },
  link: { color: colors.accent, fontWeight: '600', fontSize: 15, paddingVertical: space.md },
});
