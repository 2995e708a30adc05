import type { ReactElement, ReactNode, Ref } from 'react';
import { ScrollView, StyleSheet, View, type RefreshControlProps, type ScrollViewInstance } from 'react-native';

import { colors, space } from './theme';

interface Props {
  children: ReactNode;
  /** Scrolls by default; lists that scroll themselves pass false. */
  scroll?: boolean;
  refreshControl?: ReactElement<RefreshControlProps>;
  testID?: string;
  /** For screens that scroll something into view (the player when a scene is tapped). */
  scrollRef?: Ref<ScrollViewInstance>;
}

/** The page frame: background, padding and a readable width on tablets and browsers. */
export function Screen({ children, scroll = true, refreshControl, testID, scrollRef }: Props) {
  if (!scroll) {
    return (
      <View style={styles.fill} testID={testID}>
        <View style={[styles.column, styles.fill]}>{children}</View>
      </View>
    );
  }
  return (
    <ScrollView
      ref={scrollRef}
      style={styles.fill}
      contentContainerStyle={styles.content}
      refreshControl={refreshControl}
      keyboardShouldPersistTaps="handled"
      testID={testID}
    >
      <View style={styles.column}>{children}</View>
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  fill: { flex: 1, backgroundColor: colors.background },
  content: { paddingVertical: space.lg },
  column: {
    width: '100%',
    maxWidth: 640,
    alignSelf: 'center',
    paddingHorizontal: space.lg,
    gap: space.lg,
  },
});
