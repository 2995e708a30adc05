import { Ionicons } from '@expo/vector-icons';
import { useRef, useState } from 'react';
import { Platform, Pressable, StyleSheet, Text, View, type HostInstance } from 'react-native';

import { formatBytes, formatDuration, formatFps } from '@/lib/format';
import type { AnalysisResult, JobWithResult } from '@/lib/types';
import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { FileName } from '@/ui/FileName';
import { colors, MIN_TAP, radius, space, type } from '@/ui/theme';

import { CueTimeline } from './CueTimeline';
import { MotionChart } from './MotionChart';
import { Player, type Seek } from './Player';
import { QualityCard } from './QualityCard';
import { SceneStrip } from './SceneStrip';
import { meaningfulHighlights } from './motion';
import { shareOrCopy, shareSummary, type ShareOutcome } from './share';

interface Props {
  job: JobWithResult;
  result: AnalysisResult;
  /** Scrolls the page to this y (the player's card), so a tapped scene plays where it is seen. */
  scrollTo?: (y: number) => void;
}

export function Report({ job, result, scrollTo }: Props) {
  const v = result.video;
  const [seek, setSeek] = useState<Seek | null>(null);
  const [playerY, setPlayerY] = useState(0);
  const [shared, setShared] = useState<ShareOutcome | null>(null);
  const summary = shareSummary(job.video.filename, result);
  const playerBox = useRef<HostInstance>(null);
  const seekTo = (timeS: number) => {
    setSeek((old) => ({ timeS, tap: (old?.tap ?? 0) + 1 }));
    // Browsers: the view is a DOM element, and whichever box scrolls (the page or the list)
    // brings it into view; phones scroll the screen's list to the card's offset.
    const element = Platform.OS === 'web' ? (playerBox.current as unknown as HTMLElement | null) : null;
    if (element?.scrollIntoView) element.scrollIntoView({ block: 'start', behavior: 'smooth' });
    else scrollTo?.(playerY);
  };
  // Time order, as on the chart; scores are relative to this clip: the strongest gets a full bar.
  const highlights = meaningfulHighlights(result);
  const topScore = Math.max(...highlights.map((h) => h.score), 0.0001);
  const aspect = v.display_width > 0 && v.display_height > 0 ? v.display_width / v.display_height : 16 / 9;
  return (
    <>
      <FileName name={job.video.filename} style={[type.title, styles.title]} testID="results-title" />
      <View ref={playerBox} onLayout={(event) => setPlayerY(event.nativeEvent.layout.y)}>
        <Card title="Video" testID="player-card">
          <Player jobId={job.id} aspectRatio={aspect} seek={seek} />
          <Text style={type.small}>A tapped scene or highlight plays here without sound; the player’s speaker button turns it on.</Text>
          <Button
            label="Share a summary"
            variant="secondary"
            onPress={() => void shareOrCopy(summary, job.video.filename).then(setShared)}
            testID="share-results"
          />
          {shared === 'copied' ? (
            <Text style={type.small} accessibilityRole="alert" testID="share-copied">
              Summary copied: paste it where you want to share it.
            </Text>
          ) : null}
          {shared === 'shown' ? (
            <Text style={[type.body, styles.summaryText]} selectable testID="share-text">
              {summary}
            </Text>
          ) : null}
        </Card>
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
        <SceneStrip scenes={result.scenes} onSeek={seekTo} />
      </Card>
      <Card title="Motion">
        <MotionChart values={result.motion.values} intervalS={result.motion.interval_s} highlights={highlights} />
        {result.cues && result.cues.length > 0 ? (
          <>
            <Text style={styles.subheading} role="heading" aria-level={3}>
              Technical cues
            </Text>
            <CueTimeline cues={result.cues} durationS={Math.max(v.duration_s, result.motion.values.length * result.motion.interval_s)} />
          </>
        ) : null}
      </Card>
      <Card title="Highlights" testID="highlights">
        {highlights.length === 0 ? (
          <Text style={type.small}>Nothing stands out: the motion is even throughout.</Text>
        ) : (
          highlights.map((h) => {
            const strength = Math.round((h.score / topScore) * 100);
            return (
              <Pressable
                key={h.start_s}
                style={styles.highlight}
                onPress={() => seekTo(h.start_s)}
                accessibilityRole="button"
                accessibilityLabel={`Play the highlight from ${formatDuration(h.start_s)} to ${formatDuration(h.end_s)}, strength ${strength} % of the strongest`}
                testID="highlight"
              >
                <Ionicons name="play-circle" size={20} color={colors.accent} />
                <Text style={[type.body, styles.grow]}>
                  {formatDuration(h.start_s)} – {formatDuration(h.end_s)}
                </Text>
                <View style={styles.scoreTrack}>
                  <View style={[styles.scoreFill, { width: `${strength}%` }]} />
                </View>
                <Text style={[type.small, styles.score]}>{strength} %</Text>
              </Pressable>
            );
          })
        )}
      </Card>
      <QualityCard result={result} />
      <Text style={styles.footnote}>
        {result.frames_analyzed} frames analysed in {result.analysis_seconds.toFixed(1)} s
      </Text>
    </>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <View style={styles.stat}>
      <Text style={type.small} numberOfLines={1}>
        {label}
      </Text>
      <Text style={styles.statValue} numberOfLines={1} adjustsFontSizeToFit>
        {value}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  title: { fontSize: 22, paddingTop: space.xs },
  grid: { flexDirection: 'row', flexWrap: 'wrap', gap: space.sm },
  // Two columns on a 320-point phone, three from about 400: labels and values never wrap or cut.
  stat: {
    flexBasis: 112,
    flexGrow: 1,
    backgroundColor: colors.background,
    borderRadius: radius.md,
    padding: space.md,
    gap: 2,
  },
  statValue: { ...type.heading, fontVariant: ['tabular-nums'] },
  subheading: { ...type.body, fontWeight: '700' },
  highlight: { flexDirection: 'row', alignItems: 'center', gap: space.sm, minHeight: MIN_TAP },
  grow: { flex: 1 },
  scoreTrack: { width: 80, height: 6, borderRadius: 3, backgroundColor: colors.track, overflow: 'hidden' },
  scoreFill: { height: '100%', backgroundColor: colors.accent },
  footnote: { ...type.small, textAlign: 'center' },
  score: { width: 40, textAlign: 'right', fontVariant: ['tabular-nums'] },
  summaryText: { backgroundColor: colors.background, borderRadius: radius.md, padding: space.md },
});
