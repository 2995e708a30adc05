import { StyleSheet, Text, View } from 'react-native';

import { formatSeconds } from '@/lib/format';
import type { Highlight } from '@/lib/types';
import { colors, space, type } from '@/ui/theme';

interface Props {
  values: number[];
  intervalS: number;
  highlights: Highlight[];
}

const HEIGHT = 120;

function inHighlight(t: number, highlights: Highlight[]): boolean {
  return highlights.some((h) => t >= h.start_s && t < h.end_s);
}

/**
 * Motion per interval as bars (plain Views, so it draws the same on phones and browsers);
 * bars inside a highlight are drawn in the accent colour.
 */
export function MotionChart({ values, intervalS, highlights }: Props) {
  if (values.length === 0) return <Text style={type.small}>No motion data.</Text>;
  const max = Math.max(...values, 0.0001);
  const duration = values.length * intervalS;
  return (
    <View style={styles.wrap} accessibilityRole="image" accessibilityLabel={`Motion chart over ${formatSeconds(duration)}`} testID="motion-chart">
      <View style={styles.plot}>
        {values.map((value, i) => (
          <View key={i} style={styles.slot}>
            <View
              style={[
                styles.bar,
                {
                  height: Math.max(2, (value / max) * HEIGHT),
                  backgroundColor: inHighlight(i * intervalS, highlights) ? colors.accent : '#A5B4FC',
                },
              ]}
            />
          </View>
        ))}
      </View>
      <View style={styles.axis}>
        <Text style={styles.tick}>0 s</Text>
        <Text style={styles.tick}>{formatSeconds(duration / 2)}</Text>
        <Text style={styles.tick}>{formatSeconds(duration)}</Text>
      </View>
      <View style={styles.legend}>
        <View style={[styles.swatch, { backgroundColor: '#A5B4FC' }]} />
        <Text style={styles.tick}>motion per {intervalS === 1 ? 'second' : `${intervalS} s`}</Text>
        <View style={[styles.swatch, { backgroundColor: colors.accent }]} />
        <Text style={styles.tick}>highlight</Text>
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { gap: space.sm },
  plot: {
    height: HEIGHT,
    flexDirection: 'row',
    alignItems: 'flex-end',
    gap: 2,
    borderBottomWidth: 1,
    borderBottomColor: colors.border,
  },
  slot: { flex: 1, justifyContent: 'flex-end', height: '100%' },
  bar: { width: '100%', borderTopLeftRadius: 3, borderTopRightRadius: 3 },
  axis: { flexDirection: 'row', justifyContent: 'space-between' },
  tick: { ...type.small, fontSize: 12 },
  legend: { flexDirection: 'row', alignItems: 'center', gap: space.xs },
  swatch: { width: 10, height: 10, borderRadius: 2, marginLeft: space.sm },
});
