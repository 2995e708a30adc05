import { Ionicons } from '@expo/vector-icons';
import { Link, Stack, useLocalSearchParams } from 'expo-router';
import { ActivityIndicator, StyleSheet, Text, View } from 'react-native';

import { useJob } from '@/features/jobs/queries';
import { StatusPill } from '@/features/jobs/StatusPill';
import { formatBytes, formatDuration, formatFps, formatSeconds } from '@/lib/format';
import type { AnalysisResult, JobWithResult } from '@/lib/types';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { Screen } from '@/ui/Screen';
import { colors, radius, space, type } from '@/ui/theme';

import { MotionChart } from './MotionChart';
import { SceneStrip } from './SceneStrip';
import { warningSentence } from './warnings';

export function ResultsScreen() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const job = useJob(id);
  const data = job.data;

  return (
    <Screen testID="results-screen">
      <Stack.Screen options={{ title: 'Results' }} />
      {job.error ? <ErrorNotice error={job.error} onRetry={() => void job.refetch()} /> : null}
      {!data && !job.error ? <ActivityIndicator color={colors.accent} style={styles.loading} /> : null}
      {data && data.status === 'completed' && data.result ? <Report job={data} result={data.result} /> : null}
      {data && (data.status !== 'completed' || !data.result) ? <NotReady job={data} /> : null}
    </Screen>
  );
}

/** Opened from a notification or the history for a job that has no results (yet). */
function NotReady({ job }: { job: JobWithResult }) {
  return (
    <Card title={job.video.filename}>
      <StatusPill status={job.status} />
      <Text style={type.body}>
        {job.status === 'failed'
          ? (job.error?.message ?? 'The analysis failed.')
          : job.status === 'cancelled'
            ? 'This analysis was cancelled.'
            : job.status === 'completed'
              ? 'The analysis finished, but its results are no longer available.'
              : 'The analysis is still running.'}
      </Text>
      {job.status === 'queued' || job.status === 'processing' ? (
        <Link href={`/jobs/${job.id}`} style={styles.link}>
          Watch its progress
        </Link>
      ) : null}
    </Card>
  );
}

function Report({ job, result }: { job: JobWithResult; result: AnalysisResult }) {
  const v = result.video;
  const warnings = result.quality.warnings;
  // Scores are relative to this clip: the strongest highlight gets a full bar.
  const topScore = Math.max(...result.highlights.map((h) => h.score), 0.0001);
  return (
    <>
      <View style={styles.titleRow}>
        <Text style={[type.title, styles.title]} numberOfLines={2} testID="results-title">
          {job.video.filename}
        </Text>
      </View>
      <Card title="Summary" testID="summary">
        <View style={styles.grid}>
          <Stat label="Duration" value={formatDuration(v.duration_s)} />
          <Stat label="Size" value={formatBytes(job.video.size_bytes)} />
          <Stat label="Frame rate" value={formatFps(v.fps)} />
          <Stat label="Codec" value={v.codec.toUpperCase()} />
          <Stat label="Resolution" value={`${v.display_width}×${v.display_height}`} />
          <Stat label="Scenes" value={String(result.scenes.length)} />
        </View>
        <Text style={type.small}>
          {result.audio
            ? `Audio: ${result.audio.codec.toUpperCase()}, ${result.audio.channels === 1 ? 'mono' : `${result.audio.channels} channels`}${result.audio.silent ? ', silent' : ''}.`
            : 'No audio track.'}
        </Text>
      </Card>
      <Card title="Scenes">
        <SceneStrip scenes={result.scenes} />
      </Card>
      <Card title="Motion">
        <MotionChart values={result.motion.values} intervalS={result.motion.interval_s} highlights={result.highlights} />
      </Card>
      <Card title="Highlights" testID="highlights">
        {result.highlights.length === 0 ? (
          <Text style={type.small}>Nothing stands out: the motion is even throughout.</Text>
        ) : (
          result.highlights.map((h, i) => (
            <View key={`${h.start_s}-${i}`} style={styles.highlight}>
              <Ionicons name="flash" size={16} color={colors.accent} />
              <Text style={[type.body, styles.grow]}>
                {formatSeconds(h.start_s)} – {formatSeconds(h.end_s)}
              </Text>
              <View style={styles.scoreTrack}>
                <View style={[styles.scoreFill, { width: `${Math.round((h.score / topScore) * 100)}%` }]} />
              </View>
            </View>
          ))
        )}
      </Card>
      <Card title="Quality" testID="quality">
        {warnings.length === 0 ? (
          <View style={styles.warning}>
            <Ionicons name="checkmark-circle" size={18} color={colors.success} />
            <Text style={[type.body, styles.grow]}>No quality problems found.</Text>
          </View>
        ) : (
          warnings.map((w) => (
            <View key={w.code} style={styles.warning}>
              <Ionicons name="warning" size={18} color={colors.warning} />
              <Text style={[type.body, styles.grow]}>{warningSentence(w)}</Text>
            </View>
          ))
        )}
      </Card>
      <Text style={styles.footnote}>
        {result.frames_analyzed} frames analysed in {result.analysis_seconds.toFixed(1)} s
      </Text>
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <View style={styles.stat}>
      <Text style={type.small}>{label}</Text>
      <Text style={styles.statValue} numberOfLines={1}>
        {value}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  loading: { marginTop: space.xxl },
  titleRow: { paddingTop: space.xs },
  title: { fontSize: 22 },
  grid: { flexDirection: 'row', flexWrap: 'wrap', gap: space.sm },
  stat: {
    flexBasis: '31%',
    flexGrow: 1,
    backgroundColor: colors.background,
    borderRadius: radius.md,
    padding: space.md,
    gap: 2,
  },
  statValue: { ...type.heading, fontVariant: ['tabular-nums'] },
  highlight: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  grow: { flex: 1 },
  scoreTrack: { width: 80, height: 6, borderRadius: 3, backgroundColor: colors.track, overflow: 'hidden' },
  scoreFill: { height: '100%', backgroundColor: colors.accent },
  warning: { flexDirection: 'row', alignItems: 'flex-start', gap: space.sm },
  link: { color: colors.accent, fontWeight: '600', fontSize: 15 },
  footnote: { ...type.small, textAlign: 'center' },
});
