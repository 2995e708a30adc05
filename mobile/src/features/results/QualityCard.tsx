import { Ionicons } from '@expo/vector-icons';
import { StyleSheet, Text, View } from 'react-native';

import type { AnalysisResult } from '@/lib/types';
import { Card } from '@/ui/Card';
import { colors, space, type } from '@/ui/theme';

import { warningSentence } from './warnings';

function figure(value: number | null | undefined, unit: string, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)} ${unit}`;
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
          <Text style={styles.subheading} role="heading">
            Loudness
          </Text>
          <Text style={type.body}>Integrated: {figure(loudness.integrated_lufs, 'LUFS')}</Text>
          <Text style={type.body}>Range: {figure(loudness.range_lu, 'LU')}</Text>
          <Text style={type.body}>True peak: {figure(loudness.true_peak_dbtp, 'dBTP')}</Text>
          <Text style={type.body}>
            {loudness.clipped_samples === 0
              ? 'No clipped samples.'
              : `${loudness.clipped_samples.toLocaleString('en-GB')} clipped samples.`}
          </Text>
        </View>
      ) : null}
      {meanShake !== null && worstShake !== null ? (
        <View style={styles.block} testID="shake">
          <Text style={styles.subheading} role="heading">
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
