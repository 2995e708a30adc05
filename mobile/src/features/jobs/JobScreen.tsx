import { Ionicons } from '@expo/vector-icons';
import { useLocalSearchParams, useRouter } from 'expo-router';
import { useEffect } from 'react';
import { ActivityIndicator, Platform, RefreshControl, StyleSheet, Text, View } from 'react-native';

import { ScreenHeader } from '@/features/shell/ScreenHeader';
import { useManualRefresh } from '@/features/shell/useManualRefresh';
import { ApiError } from '@/lib/errors';
import { queryProblem } from '@/lib/problem';
import { formatBytes } from '@/lib/format';
import { isTerminal } from '@/lib/types';
import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { FileName } from '@/ui/FileName';
import { ProgressBar } from '@/ui/ProgressBar';
import { Screen } from '@/ui/Screen';
import { colors, space, type } from '@/ui/theme';

import { jobError, phaseLabel, progressMessage } from './labels';
import { canRetry, restartNote, useCancelJob, useJob, useRetryJob } from './queries';
import { StatusPill } from './StatusPill';
import { UnknownJob } from './UnknownJob';

export function JobScreen() {
  const { id, duplicate } = useLocalSearchParams<{ id: string; duplicate?: string }>();
  const router = useRouter();
  const job = useJob(id);
  const cancel = useCancelJob();
  const retry = useRetryJob();
  const data = job.data;

  // The results open by themselves: the user came here to see them.
  useEffect(() => {
    if (data?.status === 'completed') router.replace(`/results/${id}${duplicate ? '?duplicate=1' : ''}`);
  }, [data?.status, id, duplicate, router]);

  const missing = job.error instanceof ApiError && job.error.status === 404;
  const ended = data ? isTerminal(data.status) : false;
  const restart = data ? restartNote(data) : null;
  const problem = queryProblem(job);
  const { refresh, refreshing } = useManualRefresh(job);

  return (
    <Screen
      testID="job-screen"
      refreshControl={<RefreshControl refreshing={refreshing} onRefresh={refresh} />}
    >
      <ScreenHeader title="Analysis" onRefresh={refresh} refreshing={refreshing} />
      {missing ? <UnknownJob /> : null}
      {problem && !data && !missing ? <ErrorNotice error={problem} onRetry={refresh} /> : null}
      {!data && !problem ? <ActivityIndicator color={colors.accent} style={styles.loading} /> : null}
      {data && !missing ? (
        <>
          <Card>
            <View style={styles.header}>
              <Ionicons name="film-outline" size={28} color={colors.accent} />
              <View style={styles.headerText}>
                <FileName name={data.video.filename} style={type.heading} testID="job-filename" />
                <Text style={type.small}>{formatBytes(data.video.size_bytes)}</Text>
              </View>
              <StatusPill status={data.status} />
            </View>
          </Card>
          {duplicate ? (
            <Text style={styles.duplicate} testID="duplicate-notice">
              You uploaded this video before: this is that upload’s analysis, not a new one.
            </Text>
          ) : null}
          <Card title={ended ? 'Stopped' : phaseLabel(data.phase)}>
            {data.status === 'failed' ? (
              <ErrorNotice error={jobError(data)} />
            ) : data.status === 'cancelled' ? (
              <Text style={type.body} testID="job-message">
                You cancelled this analysis.
              </Text>
            ) : (
              <>
                {restart ? (
                  <View style={styles.restart} testID="job-restarted">
                    <Ionicons name="refresh" size={16} color={colors.warning} />
                    <Text style={styles.restartText}>{restart}</Text>
                  </View>
                ) : null}
                <ProgressBar percent={data.progress} label="Analysis progress" testID="job-progress" />
                <Text style={styles.message} testID="job-message">
                  {progressMessage(data)}
                </Text>
              </>
            )}
            {/* A poll that failed while we still show the last state: say so, keep the state. */}
            {problem ? <ErrorNotice error={problem} /> : null}
            {cancel.error ? <ErrorNotice error={cancel.error} /> : null}
            {retry.error ? <ErrorNotice error={retry.error} /> : null}
          </Card>
          {!ended ? (
            <Button label="Cancel analysis" variant="danger" onPress={() => cancel.mutate(id)} busy={cancel.isPending} />
          ) : null}
          {ended && canRetry(data) ? (
            <Button label="Analyse again" onPress={() => retry.mutate(id)} busy={retry.isPending} testID="retry-job" />
          ) : null}
          {ended ? (
            <Button label="Upload another video" variant="secondary" onPress={() => router.dismissTo('/')} testID="upload-another" />
          ) : null}
          {!ended ? (
            <Text style={styles.footnote}>
              {Platform.OS === 'web'
                ? 'You can leave this page: the analysis continues on the server, and History shows it when it is ready.'
                : 'You can leave this screen: the analysis continues on the server and we notify you when it is ready.'}
            </Text>
          ) : null}
        </>
      ) : null}
    </Screen>
  );
}

const styles = StyleSheet.create({
  loading: { marginTop: space.xxl },
  header: { flexDirection: 'row', alignItems: 'center', gap: space.md },
  headerText: { flex: 1, gap: 2, minWidth: 0 },
  message: { ...type.body, color: colors.muted },
  restart: { flexDirection: 'row', alignItems: 'center', gap: space.xs },
  restartText: { ...type.body, color: colors.warning, fontWeight: '600', flex: 1 },
  duplicate: { ...type.body, backgroundColor: colors.accentSoft, padding: space.md, borderRadius: 12 },
  footnote: { ...type.small, textAlign: 'center', paddingHorizontal: space.lg },
});
