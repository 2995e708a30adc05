import { ScrollView, StyleSheet, Text, View } from 'react-native';

import { formatSeconds } from '@/lib/format';
import type { Scene } from '@/lib/types';
import { colors, radius, space, type } from '@/ui/theme';

import { AuthImage } from './AuthImage';

export function SceneStrip({ scenes }: { scenes: Scene[] }) {
  if (scenes.length === 0) return <Text style={type.small}>No scene changes were found.</Text>;
  return (
    <ScrollView horizontal showsHorizontalScrollIndicator={false} contentContainerStyle={styles.strip} testID="scene-strip">
      {scenes.map((scene) => (
        <View key={scene.index} style={styles.item}>
          {scene.thumbnail_url ? (
            <AuthImage
              path={scene.thumbnail_url}
              style={styles.thumb}
              accessibilityLabel={`Scene ${scene.index + 1} thumbnail`}
              testID={`scene-thumb-${scene.index}`}
            />
          ) : (
            <View style={[styles.thumb, styles.placeholder]} />
          )}
          <Text style={styles.caption}>
            Scene {scene.index + 1} · {formatSeconds(scene.start_s)}–{formatSeconds(scene.end_s)}
          </Text>
        </View>
      ))}
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  strip: { gap: space.md, paddingRight: space.sm },
  item: { gap: space.xs, width: 136 },
  thumb: { width: 136, height: 77, borderRadius: radius.sm, backgroundColor: colors.track },
  placeholder: { backgroundColor: colors.track },
  caption: { ...type.small, fontSize: 12 },
});
