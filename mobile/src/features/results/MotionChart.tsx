import { useState } from 'react';
import { StyleSheet, Text, View, type LayoutChangeEvent } from 'react-native';

import { formatDuration } from '@/lib/format';
import type { Highlight } from '@/lib/types';
import { colors, space, type } from '@/ui/theme';

import { barsThatFit, bucketMotion, describeMotion, GAP_PT } from './motion';

interface Props {
  values: number[];
  intervalS: number;
  highlights: Highlight[];
}

const HEIGHT = 120;
/** Before the first layout: a phone's width, so a first paint is already readable. */
const FIRST_WIDTH = 300;

/**
 * Motion as bars (plain Views, so it draws the same on phones and browsers), folded to the
 * width on screen so a 10-minute clip is as readable as a 10-second one; highlight bars in the
 * accent colour.
 */
export function MotionChart({ values, intervalS, highlights }: Props) {
  const [width, setWidth] = useState(FIRST_WIDTH);
  if (values.length === 0) return <Text style={type.small}>No motion data.</Text>;
  const bars = bucketMotion(values, intervalS, highlights, barsThatFit(width));
  const max = Math.max(...bars.map((b) => b.value), 0.0001);
  const duration = values.length * intervalS;
  const perBar = bars[0] ? bars[0].endS - bars[0].startS : intervalS;
  const onLayout = (event: LayoutChangeEvent) => setWidth(Math.max(1, Math.floor(event.nativeEvent.layout.width)));
  return (
    <View style={styles.wrap}>
      <View
        style={styles.plot}
        onLayout={onLayout}
        accessible
        role="img"
        accessibilityLabel={describeMotion(bars, highlights)}
        testID="motion-chart"
      >
        {bars.map((bar) => (
          <View
            key={bar.startS}
            style={[
              styles.bar,
              {
                height: Math.max(2, (bar.value / max) * HEIGHT),
                backgroundColor: bar.highlight ? colors.accent : colors.accentMuted,
              },
            ]}
            testID={bar.highlight ? 'motion-bar-highlight' : 'motion-bar'}
          />
        ))}
      </View>
      <View style={styles.axis} testID="motion-axis">
        <Text style={styles.tick}>0:00</Text>
        <Text style={styles.tick}>{formatDuration(duration / 2)}</Text>
        <Text style={styles.tick}>{formatDuration(duration)}</Text>
      </View>
      <View style={styles.legend}>
        <View style={[styles.swatch, { backgroundColor: colors.accentMuted }]} />
        <Text style={styles.tick}>
          {perBar <= 1 ? 'motion per second' : `peak motion per ${perBar < 60 ? `${perBar} s` : formatDuration(perBar)}`}
        </Text>
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
    gap: GAP_PT,
    borderBottomWidth: 1,
    borderBottomColor: colors.border,
  },
  bar: { flex: 1, minWidth: 1, borderTopLeftRadius: 2, borderTopRightRadius: 2 },
  axis: { flexDirection: 'row', justifyContent: 'space-between' },
  tick: { ...type.small, fontSize: 12 },
  legend: { flexDirection: 'row', alignItems: 'center', gap: space.xs, flexWrap: 'wrap' },
  swatch: { width: 10, height: 10, borderRadius: 2, marginLeft: space.sm },
});
