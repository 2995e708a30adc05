import { StyleSheet, Text, View } from 'react-native';

import type { JobStatus } from '@/lib/types';
import { radius, space } from '@/ui/theme';

import { statusStyle } from './labels';

export function StatusPill({ status }: { status: JobStatus }) {
  const style = statusStyle(status);
  return (
    <View style={[styles.pill, { backgroundColor: style.background }]}>
      <Text style={[styles.text, { color: style.color }]}>{style.label}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  pill: { borderRadius: radius.pill, paddingHorizontal: space.md, paddingVertical: 3, alignSelf: 'flex-start' },
  text: { fontSize: 12, fontWeight: '700', letterSpacing: 0.3, textTransform: 'uppercase' },
});
