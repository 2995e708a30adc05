import { Ionicons } from '@expo/vector-icons';
import { StyleSheet, Text, View } from 'react-native';

import type { AnalysisResult } from '@/lib/types';
import { Card } from '@/ui/Card';
import { colors, space, type } from '@/ui/theme';

import { warningSentence } from './warnings';

function figure(value: number | null | undefined, unit: string, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)} ${unit}`;
}

/**
 * What the EBU R128 figures mean for a person, against the targets platforms use: streaming
 * services normalise to about −14 LUFS, broadcast to −23 LUFS (EBU R128); below −30 sounds quiet
 * anywhere, above −9 is loud enough to be turned down; a true peak above −1 dBTP can clip once
 * encoded.
 */
export function loudnessVerdict(lufs: number | null | undefined): string {
  if (lufs === null || lufs === undefined || !Number.isFinite(lufs)) return '';
  if (lufs < -30) return ' — too quiet';
  if (lufs > -9) return ' — too loud';
  if (lufs >= -18) return ' — good for streaming';
  return ' — good for broadcast, quiet for streaming';
}

export function rangeVerdict(lu: number | null | undefined): string {
  if (lu === null || lu === undefined || !Number.isFinite(lu)) return '';
  if (lu > 20) return ' — very uneven: quiet parts may be lost';
  if (lu < 3) return ' — very even (compressed)';
  return ' — natural';
}

export function peakVerdict(dbtp: number | null | undefined): string {
  if (dbtp === null || dbtp === undefined || !Number.isFinite(dbtp)) return '';
  return dbtp > -1 ? ' — too high: may distort' : ' — fine';
}

/** Warnings as sentences; loudness (EBU R128) and camera shake when the analysis measured them. */
export function QualityCard({ result }: { result: AnalysisResult }) {
  const warnings = result.quality.warnings;
  const loudness = result.audio?.loudness;
  const shake = result.stability?.shake ?? [];
  const meanShake = shake.length ? shake.reduce((a, b) => a + b, 0) / shake.length : null;
  const worstShake = shake.length ? Math.max(...shake) : null;
  return (
    <Card title="Quality" testID="quality">
      {warnings.length === 0 ? (
        <View style={styles.row}>
          <Ionicons name="checkmark-circle" size={18} color={colors.success} />
          <Text style={[type.body, styles.grow]}>No quality problems found.</Text>
        </View>
      ) : (
        warnings.map((w) => (
          <View key={w.code} style={styles.row}>
            <Ionicons name="warning" size={18} color={colors.warning} />
            <Text style={[type.body, styles.grow]}>{warningSentence(w)}</Text>
          </View>
        ))
      )}
      {loudness ? (
        <View style={styles.block} testID="loudness">
          <Text style={styles.subheading} role="heading" aria-level={3}>
            Loudness
          </Text>
          <Text style={type.body}>
            Integrated: {figure(loudness.integrated_lufs, 'LUFS')}
            {loudnessVerdict(loudness.integrated_lufs)}
          </Text>
          <Text style={type.body}>
            Range: {figure(loudness.range_lu, 'LU')}
            {rangeVerdict(loudness.range_lu)}
          </Text>
          <Text style={type.body}>
            True peak: {figure(loudness.true_peak_dbtp, 'dBTP')}
            {peakVerdict(loudness.true_peak_dbtp)}
          </Text>
          <Text style={type.small}>
            Streaming sites aim at about −14 LUFS, broadcasters at −23; peaks above −1 dBTP can distort.
          </Text>
          <Text style={type.body}>
            {loudness.clipped_samples === 0
              ? 'No clipped samples.'
              : `${loudness.clipped_samples.toLocaleString('en-GB')} clipped samples.`}
          </Text>
        </View>
      ) : null}
      {meanShake !== null && worstShake !== null ? (
        <View style={styles.block} testID="shake">
          <Text style={styles.subheading} role="heading" aria-level={3}>
            Camera shake
          </Text>
          <Text style={type.body}>
            Average {meanShake.toFixed(2)}, worst second {worstShake.toFixed(2)} (0 is perfectly steady).
          </Text>
        </View>
      ) : null}
    </Card>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', alignItems: 'flex-start', gap: space.sm },
  grow: { flex: 1 },
  block: { gap: 2 },
  subheading: { ...type.body, fontWeight: '700' },
});
