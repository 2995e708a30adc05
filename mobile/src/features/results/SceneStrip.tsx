import { Pressable, ScrollView, StyleSheet, Text, View } from 'react-native';

import { formatDuration } from '@/lib/format';
import type { Scene, SceneKind } from '@/lib/types';
import { colors, radius, space, type } from '@/ui/theme';

import { AuthImage } from './AuthImage';

const KINDS: Record<SceneKind, string> = { cut: 'Cut', dissolve: 'Dissolve', fade: 'Fade', wipe: 'Wipe' };

/** How a scene began; the first one simply starts the clip, and results of analyzer 1.0 have no kind. */
export function sceneKindLabel(scene: Scene): string | null {
  if (scene.index === 0 || !scene.kind) return null;
  const label = KINDS[scene.kind] ?? scene.kind;
  const { transition_start_s: from, transition_end_s: to } = scene;
  return from !== null && from !== undefined && to !== null && to !== undefined && to > from
    ? `${label} ${formatDuration(from)}–${formatDuration(to)}`
    : label;
}

export function SceneStrip({ scenes, onSeek }: { scenes: Scene[]; onSeek: (timeS: number) => void }) {
  if (scenes.length === 0) return <Text style={type.small}>No scene changes were found.</Text>;
  return (
    <ScrollView horizontal showsHorizontalScrollIndicator={false} contentContainerStyle={styles.strip} testID="scene-strip">
      {scenes.map((scene) => {
        const kind = sceneKindLabel(scene);
        const span = `${formatDuration(scene.start_s)}–${formatDuration(scene.end_s)}`;
        return (
          <Pressable
            key={scene.index}
            style={styles.item}
            onPress={() => onSeek(scene.start_s)}
            accessibilityRole="button"
            accessibilityLabel={`Play scene ${scene.index + 1}, ${span}${kind ? `, begins with a ${kind}` : ''}`}
            testID={`scene-${scene.index}`}
          >
            {scene.thumbnail_url ? (
              <AuthImage
                path={scene.thumbnail_url}
                style={styles.thumb}
                accessibilityLabel={`Scene ${scene.index + 1} thumbnail`}
                testID={`scene-thumb-${scene.index}`}
              />
            ) : (
              <View style={styles.thumb} />
            )}
            {kind ? (
              <Text style={styles.kind} testID={`scene-kind-${scene.index}`}>
                {kind}
              </Text>
            ) : null}
            <Text style={styles.caption}>
              Scene {scene.index + 1} · {span}
            </Text>
          </Pressable>
        );
      })}
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  strip: { gap: space.md, paddingRight: space.sm },
  item: { gap: space.xs, width: 136, minHeight: 44 },
  thumb: { width: 136, height: 77, borderRadius: radius.sm, backgroundColor: colors.track },
  kind: {
    ...type.small,
    fontSize: 12,
    fontWeight: '700',
    color: colors.accent,
    alignSelf: 'flex-start',
  },
  caption: { ...type.small, fontSize: 12 },
});
