import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { AccountCard } from './AccountCard';
import { usePushRegistration } from '@/features/notifications/usePushRegistration';
import { defaultServerUrl } from '@/lib/config';
import { messageOf } from '@/lib/errors';
import { Button } from '@/ui/Button';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { Card } from '@/ui/Card';
import { Screen } from '@/ui/Screen';
import { UrlField } from '@/ui/UrlField';
import { colors, space, type } from '@/ui/theme';

export function SettingsScreen() {
  const { serverUrl, setServerUrl } = useSession();
  // null until edited: the field shows the saved address, which may still be loading.
  const [edited, setDraft] = useState<string | null>(null);
  const draft = edited ?? serverUrl;
  const save = useMutation({ mutationFn: () => setServerUrl(draft), onSuccess: () => setDraft(null) });

  return (
    <Screen testID="settings-screen">
      <AccountCard />
      <Card title="Server">
        <UrlField value={draft} onChangeText={setDraft} testID="settings-server-url" />
        <Text style={type.small}>Default: {defaultServerUrl()}</Text>
        {save.error ? <ErrorNotice error={save.error} /> : null}
        <View style={styles.row}>
          <View style={styles.grow}>
            <Button label="Use default" variant="secondary" onPress={() => setDraft(defaultServerUrl())} />
          </View>
          <View style={styles.grow}>
            <Button
              label={save.isPending ? 'Checking…' : save.isSuccess && draft === serverUrl ? 'Saved' : 'Save'}
              onPress={() => save.mutate()}
              disabled={draft.trim() === serverUrl}
              busy={save.isPending}
              testID="settings-save"
            />
          </View>
        </View>
      </Card>
      <Card title="Notifications">
        <PushStatus />
      </Card>
    </Screen>
  );
}

function PushStatus() {
  const push = usePushRegistration();
  let text: string;
  if (push.data?.status === 'registered') text = 'On: this device is told when an analysis ends.';
  else if (push.data?.status === 'denied') text = 'Off: allow notifications for Clipscope in the system settings.';
  else if (push.data?.status === 'undetermined') text = "Not asked yet: you'll be asked when you upload your first video.";
  else if (push.data?.status === 'unsupported') text = 'Not available in the browser. Keep this tab open to follow progress.';
  else if (push.error) text = `Not set up yet (${messageOf(push.error)}). We'll retry next time the app opens.`;
  else text = 'Setting up…';
  return <Text style={[type.body, styles.muted]}>{text}</Text>;
}

const styles = StyleSheet.create({
  row: { flexDirection: 'row', gap: space.md },
  grow: { flex: 1 },
  muted: { color: colors.muted, lineHeight: 21 },
});
