import { Ionicons } from '@expo/vector-icons';
import { StyleSheet, Text, View } from 'react-native';

import { errorTitle, isOutage, isRetryable, messageOf } from '@/lib/errors';

import { Button } from './Button';
import { colors, radius, space } from './theme';

interface Props {
  error: unknown;
  /** Offered only when sending the same request again can help (never for a 404 or a 415). */
  onRetry?: () => void;
}

/** Every failure with a title that names it and a sentence; being offline gets its own look. */
export function ErrorNotice({ error, onRetry }: Props) {
  // An outage is nobody's mistake and passes by itself: the calm look, not the alarming one.
  const offline = isOutage(error);
  return (
    <View style={[styles.box, offline ? styles.offline : styles.error]} accessibilityRole="alert" testID="error-notice">
      <View style={styles.row}>
        <Ionicons
          name={offline ? 'cloud-offline-outline' : 'alert-circle-outline'}
          size={20}
          color={offline ? colors.warning : colors.danger}
        />
        <Text
          style={[styles.title, { color: offline ? colors.warning : colors.danger }]}
          role="heading"
          aria-level={3}
          testID="error-title"
        >
          {errorTitle(error)}
        </Text>
      </View>
      <Text style={styles.message} testID="error-message">
        {messageOf(error)}
      </Text>
      {onRetry && isRetryable(error) ? <Button label="Try again" variant="secondary" onPress={onRetry} /> : null}
    </View>
  );
}

const styles = StyleSheet.create({
  box: { borderRadius: radius.md, padding: space.md, gap: space.sm, borderWidth: 1 },
  error: { backgroundColor: colors.dangerSoft, borderColor: colors.dangerBorder },
  offline: { backgroundColor: colors.warningSoft, borderColor: colors.warningBorder },
  row: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  title: { fontWeight: '700', fontSize: 15 },
  message: { color: colors.text, fontSize: 15, lineHeight: 21 },
});
