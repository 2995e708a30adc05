import { StyleSheet, Text, View } from 'react-native';

import { colors, radius, space } from './theme';

interface Props {
  /** 0..100 */
  percent: number;
  label?: string;
  color?: string;
  testID?: string;
}

export function ProgressBar({ percent, label, color = colors.accent, testID }: Props) {
  const clamped = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <View style={styles.wrap}>
      <View
        style={styles.track}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={clamped}
        aria-label={label}
        testID={testID}
      >
        <View style={[styles.fill, { width: `${clamped}%`, backgroundColor: color }]} />
      </View>
      <Text style={styles.percent} testID={testID ? `${testID}-percent` : undefined}>
        {clamped} %
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { flexDirection: 'row', alignItems: 'center', gap: space.md },
  track: {
    flex: 1,
    height: 10,
    borderRadius: radius.pill,
    backgroundColor: colors.track,
    overflow: 'hidden',
  },
  fill: { height: '100%', borderRadius: radius.pill },
  percent: { width: 52, textAlign: 'right', fontVariant: ['tabular-nums'], fontWeight: '600', color: colors.text },
});
