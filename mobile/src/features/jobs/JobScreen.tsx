import { Ionicons } from '@expo/vector-icons';
import { Stack, useLocalSearchParams, useRouter } from 'expo-router';
import { useEffect } from 'react';
import { ActivityIndicator, StyleSheet, Text, View } from 'react-native';

import { formatBytes } from '@/lib/format';
import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { ProgressBar } from '@/ui/ProgressBar';
import { Screen } from '@/ui/Screen';
import { colors, space, type } from '@/ui/theme';

import { phaseLabel, progressMessage } from './labels';
import { useCancelJob, useJob } from './queries';
import { StatusPill } from './StatusPill';

export function JobScreen() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const router = useRouter();
  const job = useJob(id);
  const cancel = useCancelJob(id);
  const data = job.data;

  // The results open by themselves: the user came here to see them.
  useEffect(() => {
    if (data?.status === 'completed') router.replace(`/results/${id}`);
  }, [data?.status, id, router]);

  return (
    <Screen testID="job-screen">
      <Stack.Screen options={{ title: 'Analysis' }} />
      {job.error && !data ? <ErrorNotice error={job.error} onRetry={() => void job.refetch()} /> : null}
      {!data && !job.error ? <ActivityIndicator color={colors.accent} style={styles.loading} /> : null}
      {data ? (
        <>
          <Card>
            <View style={styles.header}>
              <Ionicons name="film-outline" size={28} color={colors.accent} />
              <View style={styles.headerText}>
                <Text style={type.heading} numberOfLines={1}>
                  {data.video.filename}
                </Text>
                <Text style={type.small}>{formatBytes(data.video.size_bytes)}</Text>
              </View>
              <StatusPill status={data.status} />
            </View>
          </Card>
          <Card title={data.status === 'failed' || data.status === 'cancelled' ? 'Stopped' : phaseLabel(data.phase)}>
            <ProgressBar percent={data.progress} label="Analysis progress" testID="job-progress" />
            <Text style={styles.message} testID="job-message">
              {progressMessage(data)}
            </Text>
            {data.status === 'failed' ? (
              <ErrorNotice error={new Error(data.error?.message ?? 'The analysis failed.')} />
            ) : null}
            {data.status === 'cancelled' ? <Text style={type.small}>You cancelled this analysis.</Text> : null}
            {/* A poll that failed while we still show the last state: say so, keep the state. */}
            {job.error && data ? <ErrorNotice error={job.error} /> : null}
            {cancel.error ? <ErrorNotice error={cancel.error} /> : null}
          </Card>
          {data.status === 'queued' || data.status === 'processing' ? (
            <Button label="Cancel analysis" variant="danger" onPress={() => cancel.mutate()} busy={cancel.isPending} />
          ) : null}
          {data.status === 'completed' ? (
            <Button label="Open results" onPress={() => router.replace(`/results/${id}`)} />
          ) : null}
          {data.status === 'failed' || data.status === 'cancelled' ? (
            <Button label="Upload another video" variant="secondary" onPress={() => router.replace('/')} />
          ) : null}
          <Text style={styles.footnote}>
            You can leave this screen: the analysis continues on the server and we notify you when it is ready.
          </Text>
        </>
      ) : null}
    </Screen>
  );
}

const styles = StyleSheet.create({
  loading: { marginTop: space.xxl },
  header: { flexDirection: 'row', alignItems: 'center', gap: space.md },
  headerText: { flex: 1, gap: 2 },
  message: { ...type.body, color: colors.muted },
  footnote: { ...type.small, textAlign: 'center', paddingHorizontal: space.lg },
});
