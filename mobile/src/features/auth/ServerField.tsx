import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { Button } from '@/ui/Button';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { UrlField } from '@/ui/UrlField';
import { colors, space, type } from '@/ui/theme';

import { useSession } from './session';

/** The server address, editable before signing in (Settings is only reachable after). */
export function ServerField() {
  const { serverUrl, setServerUrl } = useSession();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(serverUrl);
  const save = useMutation({ mutationFn: () => setServerUrl(draft), onSuccess: () => setEditing(false) });

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
            save.reset();
            setEditing(true);
          }}
          testID="change-server"
        >
          Change
        </Text>
      </View>
    );
  }
  return (
    <View style={styles.editor}>
      <UrlField value={draft} onChangeText={setDraft} testID="server-url-input" />
      {save.error ? <ErrorNotice error={save.error} /> : null}
      <Button
        label={save.isPending ? 'Checking the server…' : 'Save server'}
        variant="secondary"
        onPress={() => save.mutate()}
        busy={save.isPending}
        testID="save-server"
      />
      <Button label="Cancel" variant="ghost" onPress={() => setEditing(false)} testID="cancel-server" />
    </View>
  );
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', justifyContent: 'center', gap: space.sm, alignItems: 'center' },
  text: { ...type.small, flexShrink: 1 },
  link: { ...type.small, color: colors.accent, fontWeight: '600', paddingVertical: 14, paddingHorizontal: space.sm },
  editor: { gap: space.md },
});
