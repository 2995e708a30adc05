import { Ionicons } from '@expo/vector-icons';
import { useRouter } from 'expo-router';
import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { progressMessage, statusStyle } from '@/features/jobs/labels';
import { canRetry } from '@/features/jobs/queries';
import { StatusPill } from '@/features/jobs/StatusPill';
import { AuthImage } from '@/features/results/AuthImage';
import { formatBytes, formatWhen } from '@/lib/format';
import { isTerminal, type Job } from '@/lib/types';
import { FileName } from '@/ui/FileName';
import { ProgressBar } from '@/ui/ProgressBar';
import { colors, MIN_TAP, radius, space, type } from '@/ui/theme';

export interface RowActions {
  onDelete: (id: string) => void;
  onRetry: (id: string) => void;
  onCancel: (id: string) => void;
  /** The job an action is under way for, and which action. */
  busy: { id: string; action: 'delete' | 'retry' | 'cancel' } | null;
}

export function JobRow({ job, actions }: { job: Job; actions: RowActions }) {
  const router = useRouter();
  // Deleting cannot be undone; a second tap confirms (Alert has no buttons on the web).
  const [confirming, setConfirming] = useState(false);
  const running = !isTerminal(job.status);
  const busy = actions.busy?.id === job.id ? actions.busy.action : null;

  return (
    <View style={styles.row} testID={`job-row-${job.id}`}>
      <Pressable
        accessibilityRole="button"
        // The pill's word, so a screen reader and the eye read the same status.
        accessibilityLabel={`Open ${job.video.filename}, ${statusStyle(job.status).label}`}
        onPress={() => router.push(job.status === 'completed' ? `/results/${job.id}` : `/jobs/${job.id}`)}
        style={({ pressed }) => [styles.main, pressed && styles.pressed]}
      >
        {job.status === 'completed' ? (
          <AuthImage
            path={`/api/jobs/${job.id}/thumbnails/0.jpg`}
            style={styles.thumb}
            accessibilityLabel=""
            testID={`history-thumb-${job.id}`}
          />
        ) : (
          <View style={[styles.thumb, styles.icon]}>
            <Ionicons name="film-outline" size={22} color={colors.muted} />
          </View>
        )}
        <View style={styles.text}>
          {/* The whole width for the name (up to three lines), the pill below it: at 320 pt a name beside
              the pill was cut to a few characters. */}
          <FileName name={job.video.filename} style={type.heading} lines={3} testID={`job-name-${job.id}`} />
          <View style={styles.top}>
            <StatusPill status={job.status} />
            <Text style={[type.small, styles.name]} numberOfLines={1}>
              {formatBytes(job.video.size_bytes)} · {formatWhen(job.created_at)}
            </Text>
          </View>
        </View>
      </Pressable>
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
        {running ? (
          <Action label={busy === 'cancel' ? 'Cancelling…' : 'Cancel'} onPress={() => actions.onCancel(job.id)} id={`cancel-${job.id}`} about={job.video.filename} />
        ) : null}
        {canRetry(job) ? (
          <Action label={busy === 'retry' ? 'Starting…' : 'Analyse again'} onPress={() => actions.onRetry(job.id)} id={`retry-${job.id}`} about={job.video.filename} accent />
        ) : null}
        {confirming ? (
          <>
            <Action label="Keep" onPress={() => setConfirming(false)} id={`keep-${job.id}`} about={job.video.filename} />
            <Action
              label={busy === 'delete' ? 'Deleting…' : 'Delete for good'}
              onPress={() => actions.onDelete(job.id)}
              id={`confirm-delete-${job.id}`}
              about={job.video.filename}
              danger
            />
          </>
        ) : (
          <Action label="Delete" onPress={() => setConfirming(true)} id={`delete-${job.id}`} about={job.video.filename} danger />
        )}
      </View>
    </View>
  );
}

/** A row's action; its label names the video, since every row has the same buttons. */
function Action(props: { label: string; onPress: () => void; id: string; about: string; danger?: boolean; accent?: boolean }) {
  return (
    <Pressable
      onPress={props.onPress}
      accessibilityRole="button"
      accessibilityLabel={`${props.label}: ${props.about}`}
      style={styles.action}
      testID={props.id}
    >
      <Text style={[styles.actionText, props.danger && styles.danger, props.accent && styles.accent]}>{props.label}</Text>
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
  main: { flexDirection: 'row', gap: space.md, alignItems: 'center', minHeight: MIN_TAP },
  pressed: { opacity: 0.85 },
  thumb: { width: 64, height: 36, borderRadius: radius.sm, backgroundColor: colors.track },
  icon: { alignItems: 'center', justifyContent: 'center' },
  text: { flex: 1, minWidth: 0, gap: 2 },
  top: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  name: { flex: 1 },
  progress: { gap: space.xs },
  error: { color: colors.danger, fontSize: 14 },
  actions: { flexDirection: 'row', justifyContent: 'flex-end', flexWrap: 'wrap', gap: space.sm },
  action: { minHeight: MIN_TAP, minWidth: MIN_TAP, paddingHorizontal: space.sm, justifyContent: 'center', alignItems: 'center' },
  actionText: { fontWeight: '600', color: colors.muted },
  danger: { color: colors.danger },
  accent: { color: colors.accent },
});
