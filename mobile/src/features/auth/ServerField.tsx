import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { Button } from '@/ui/Button';
import { UrlField } from '@/ui/UrlField';
import { colors, space, type } from '@/ui/theme';

import { useSession } from './session';

/** The server address, editable before signing in (Settings is only reachable after). */
export function ServerField() {
  const { serverUrl, setServerUrl } = useSession();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(serverUrl);

  if (!editing) {
    return (
      <View style={styles.row}>
        <Text style={styles.text} numberOfLines={1}>
          Server: {serverUrl}
        </Text>
        <Text
          accessibilityRole="button"
          style={styles.link}
          onPress={() => {
            setDraft(serverUrl);
            setEditing(true);
          }}
        >
          Change
        </Text>
      </View>
    );
  }
  return (
    <View style={styles.editor}>
      <UrlField value={draft} onChangeText={setDraft} testID="server-url-input" />
      <Button
        label="Save server"
        variant="secondary"
        onPress={() => {
          void setServerUrl(draft).then(() => setEditing(false));
        }}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', justifyContent: 'center', gap: space.sm, alignItems: 'center' },
  text: { ...type.small, flexShrink: 1 },
  link: { ...type.small, color: colors.accent, fontWeight: '600' },
  editor: { gap: space.md },
});
