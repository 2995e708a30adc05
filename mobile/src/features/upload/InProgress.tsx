import { useIsFocused, useRouter } from 'expo-router';
import { Pressable, StyleSheet, Text } from 'react-native';

import { progressMessage } from '@/features/jobs/labels';
import { useJobList } from '@/features/jobs/queries';
import { isTerminal } from '@/lib/types';
import { Card } from '@/ui/Card';
import { FileName } from '@/ui/FileName';
import { ProgressBar } from '@/ui/ProgressBar';
import { MIN_TAP, space, type } from '@/ui/theme';

/** Analyses still running (this session's or found after a restart), so they are a tap away. */
export function InProgress() {
  const list = useJobList(useIsFocused());
  const running = (list.data?.pages.flatMap((page) => page.jobs) ?? []).filter((job) => !isTerminal(job.status));
  const router = useRouter();
  if (running.length === 0) return null;
  return (
    <Card title="In progress" testID="in-progress">
      {running.slice(0, 3).map((job) => (
        <Pressable
          key={job.id}
          style={styles.row}
          onPress={() => router.push(`/jobs/${job.id}`)}
          accessibilityRole="button"
          accessibilityLabel={`${job.video.filename}, ${job.progress} %, open`}
          testID={`in-progress-${job.id}`}
        >
          <FileName name={job.video.filename} style={type.body} lines={1} />
          <ProgressBar percent={job.progress} label={`${job.video.filename} progress`} />
          <Text style={type.small} numberOfLines={1}>
            {progressMessage(job)}
          </Text>
        </Pressable>
      ))}
    </Card>
  );
}

const styles = StyleSheet.create({
  row: { gap: space.xs, minHeight: MIN_TAP, paddingVertical: space.xs },
});
