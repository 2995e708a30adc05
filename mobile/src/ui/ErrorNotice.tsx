import { Ionicons } from '@expo/vector-icons';
import { StyleSheet, Text, View } from 'react-native';

import { ApiError, messageOf } from '@/lib/errors';

import { Button } from './Button';
import { colors, radius, space } from './theme';

interface Props {
  error: unknown;
  onRetry?: () => void;
}

/** Every failure is shown with the server's own sentence; being offline gets its own look. */
export function ErrorNotice({ error, onRetry }: Props) {
  const offline = error instanceof ApiError && error.isOffline;
  return (
    <View style={[styles.box, offline ? styles.offline : styles.error]} accessibilityRole="alert" testID="error-notice">
      <View style={styles.row}>
        <Ionicons
          name={offline ? 'cloud-offline-outline' : 'alert-circle-outline'}
          size={20}
          color={offline ? colors.warning : colors.danger}
        />
        <Text style={[styles.title, { color: offline ? colors.warning : colors.danger }]}>
          {offline ? 'Offline' : 'Something went wrong'}
        </Text>
      </View>
      <Text style={styles.message}>{messageOf(error)}</Text>
      {onRetry ? <Button label="Try again" variant="secondary" onPress={onRetry} /> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  box: { borderRadius: radius.md, padding: space.md, gap: space.sm, borderWidth: 1 },
  error: { backgroundColor: colors.dangerSoft, borderColor: '#FECACA' },
  offline: { backgroundColor: colors.warningSoft, borderColor: '#FDE68A' },
  row: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  title: { fontWeight: '700', fontSize: 15 },
  message: { color: colors.text, fontSize: 15, lineHeight: 21 },
});
