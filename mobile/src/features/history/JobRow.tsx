import { useRouter } from 'expo-router';
import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { progressMessage } from '@/features/jobs/labels';
import { StatusPill } from '@/features/jobs/StatusPill';
import { formatBytes, formatWhen } from '@/lib/format';
import { isTerminal, type Job } from '@/lib/types';
import { ProgressBar } from '@/ui/ProgressBar';
import { colors, radius, space, type } from '@/ui/theme';

interface Props {
  job: Job;
  onDelete: (id: string) => void;
  deleting: boolean;
}

export function JobRow({ job, onDelete, deleting }: Props) {
  const router = useRouter();
  // Deleting cannot be undone; a second tap confirms (Alert has no buttons on the web).
  const [confirming, setConfirming] = useState(false);
  const running = !isTerminal(job.status);

  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={`${job.video.filename}, ${job.status}`}
      onPress={() => router.push(job.status === 'completed' ? `/results/${job.id}` : `/jobs/${job.id}`)}
      style={({ pressed }) => [styles.row, pressed && styles.pressed]}
      testID={`job-row-${job.id}`}
    >
      <View style={styles.top}>
        <Text style={[type.heading, styles.name]} numberOfLines={1}>
          {job.video.filename}
        </Text>
        <StatusPill status={job.status} />
      </View>
      <Text style={type.small}>
        {formatBytes(job.video.size_bytes)} · {formatWhen(job.created_at)}
      </Text>
      {running ? (
        <View style={styles.progress}>
          <ProgressBar percent={job.progress} label={`${job.video.filename} progress`} />
          <Text style={type.small} numberOfLines={1}>
            {progressMessage(job)}
          </Text>
        </View>
      ) : null}
      {job.status === 'failed' && job.error ? (
        <Text style={styles.error} numberOfLines={2}>
          {job.error.message}
        </Text>
      ) : null}
      <View style={styles.actions}>
        {confirming ? (
          <>
            <Text style={styles.action} onPress={() => setConfirming(false)} accessibilityRole="button">
              Keep
            </Text>
            <Text
              style={[styles.action, styles.danger]}
              onPress={() => onDelete(job.id)}
              accessibilityRole="button"
              testID={`confirm-delete-${job.id}`}
            >
              {deleting ? 'Deleting…' : 'Delete for good'}
            </Text>
          </>
        ) : (
          <Text style={[styles.action, styles.danger]} onPress={() => setConfirming(true)} accessibilityRole="button">
            Delete
          </Text>
        )}
      </View>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  row: {
    backgroundColor: colors.surface,
    borderRadius: radius.lg,
    borderWidth: StyleSheet.hairlineWidth,
    borderColor: colors.border,
    padding: space.lg,
    gap: space.sm,
  },
  pressed: { opacity: 0.85 },
  top: { flexDirection: 'row', alignItems: 'center', gap: space.md },
  name: { flex: 1 },
  progress: { gap: space.xs },
  error: { color: colors.danger, fontSize: 14 },
  actions: { flexDirection: 'row', justifyContent: 'flex-end', gap: space.lg },
  action: { fontWeight: '600', color: colors.muted, paddingVertical: space.xs },
  danger: { color: colors.danger },
});
