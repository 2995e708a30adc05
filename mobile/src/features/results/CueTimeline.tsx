import { StyleSheet, Text, View } from 'react-native';

import { formatDuration } from '@/lib/format';
import type { Cue, CueKind } from '@/lib/types';
import { colors, radius, space, type } from '@/ui/theme';

const CUES: Record<CueKind, { label: string; color: string }> = {
  black: { label: 'Black picture', color: colors.text },
  freeze: { label: 'Frozen picture', color: colors.warning },
  silence: { label: 'Silence', color: colors.muted },
};

/** Technical cues (black, frozen, silent stretches) on the same time axis as the motion chart. */
export function CueTimeline({ cues, durationS }: { cues: Cue[]; durationS: number }) {
  if (cues.length === 0 || durationS <= 0) return null;
  const sorted = [...cues].sort((a, b) => a.start_s - b.start_s);
  return (
    <View style={styles.wrap} testID="cue-timeline">
      <View style={styles.track}>
        {sorted.map((cue) => (
          <View
            key={`${cue.kind}-${cue.start_s}`}
            style={[
              styles.segment,
              {
                left: `${(cue.start_s / durationS) * 100}%`,
                width: `${Math.max(0.8, ((cue.end_s - cue.start_s) / durationS) * 100)}%`,
                backgroundColor: CUES[cue.kind]?.color ?? colors.muted,
              },
            ]}
          />
        ))}
      </View>
      {sorted.map((cue) => (
        <Text key={`t-${cue.kind}-${cue.start_s}`} style={type.small} testID="cue-item">
          {CUES[cue.kind]?.label ?? cue.kind} {formatDuration(cue.start_s)}–{formatDuration(cue.end_s)}
        </Text>
      ))}
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { gap: space.xs },
  track: { height: 10, borderRadius: radius.sm, backgroundColor: colors.track, overflow: 'hidden' },
  segment: { position: 'absolute', top: 0, bottom: 0, borderRadius: 2 },
});
