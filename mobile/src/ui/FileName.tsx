import { Platform, StyleSheet, Text, type StyleProp, type TextStyle } from 'react-native';

interface Props {
  name: string;
  style?: StyleProp<TextStyle>;
  lines?: number;
  testID?: string;
}

/**
 * A file name on at most `lines` lines: names without spaces ("IMG_20260101_…_final_v2.mp4") break
 * where they must on the web (at a hyphen when there is one) instead of running off the card;
 * phones cut them in the middle.
 */
export function FileName({ name, style, lines = 2, testID }: Props) {
  return (
    <Text style={[styles.name, style]} numberOfLines={lines} ellipsizeMode="middle" testID={testID}>
      {name}
    </Text>
  );
}

const styles = StyleSheet.create({
  name: {
    flexShrink: 1,
    minWidth: 0,
    ...(Platform.OS === 'web' ? ({ overflowWrap: 'anywhere' } as TextStyle) : {}),
  },
});
