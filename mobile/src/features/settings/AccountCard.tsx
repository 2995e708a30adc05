import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { TextField } from '@/ui/TextField';
import { space, type } from '@/ui/theme';

const MIN_PASSWORD = 8;

/** Who is signed in, and every account action: sign out here or everywhere, change the password. */
export function AccountCard() {
  const { email, signOut, signOutEverywhere } = useSession();
  const leave = useMutation({ mutationFn: signOut });
  const leaveAll = useMutation({ mutationFn: signOutEverywhere });
  // Signing out every device cannot be undone from this one: a second tap confirms.
  const [confirmAll, setConfirmAll] = useState(false);

  return (
    <Card title="Account" testID="account-card">
      <Text style={type.body}>
        Signed in as <Text style={styles.strong}>{email ?? 'you'}</Text>
      </Text>
      <Button label="Sign out" variant="danger" onPress={() => leave.mutate()} busy={leave.isPending} testID="sign-out" />
      {confirmAll ? (
        <View style={styles.confirm} testID="confirm-sign-out-everywhere">
          <Text style={type.body}>Every phone and browser signed in to this account will have to sign in again.</Text>
          <Button
            label="Sign out everywhere"
            variant="danger"
            onPress={() => leaveAll.mutate()}
            busy={leaveAll.isPending}
            testID="sign-out-everywhere-confirm"
          />
          <Button label="Keep them signed in" variant="ghost" onPress={() => setConfirmAll(false)} />
        </View>
      ) : (
        <Button
          label="Sign out on every device…"
          variant="secondary"
          onPress={() => setConfirmAll(true)}
          testID="sign-out-everywhere"
        />
      )}
      {leaveAll.error ? <ErrorNotice error={leaveAll.error} /> : null}
      <PasswordChange />
    </Card>
  );
}

function PasswordChange() {
  const { changePassword } = useSession();
  const [open, setOpen] = useState(false);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => changePassword(current, next),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setOpen(false);
    },
  });
  const tooShort = next.length > 0 && next.length < MIN_PASSWORD;

  if (!open) {
    return (
      <>
        {change.isSuccess ? (
          <Text style={type.body} accessibilityRole="alert" testID="password-changed">
            Password changed. Your other devices have been signed out.
          </Text>
        ) : null}
        <Button
          label="Change password"
          variant="secondary"
          onPress={() => {
            change.reset();
            setOpen(true);
          }}
          testID="change-password"
        />
      </>
    );
  }
  return (
    <View style={styles.form} testID="password-form">
      <Text style={styles.subheading} role="heading" aria-level={3}>
        Change password
      </Text>
      <TextField
        label="Current password"
        value={current}
        onChangeText={setCurrent}
        secureTextEntry
        autoComplete="current-password"
        testID="current-password"
      />
      <TextField
        label="New password"
        value={next}
        onChangeText={setNext}
        secureTextEntry
        autoComplete="new-password"
        testID="new-password"
      />
      <Text style={type.small}>
        {tooShort ? `At least ${MIN_PASSWORD} characters.` : 'Your other devices will be signed out; this one stays signed in.'}
      </Text>
      {change.error ? <ErrorNotice error={change.error} /> : null}
      <Button
        label="Save the new password"
        onPress={() => change.mutate()}
        disabled={!current || next.length < MIN_PASSWORD}
        busy={change.isPending}
        testID="save-password"
      />
      <Button label="Cancel" variant="ghost" onPress={() => setOpen(false)} testID="cancel-password" />
    </View>
  );
}

const styles = StyleSheet.create({
  strong: { fontWeight: '700' },
  confirm: { gap: space.sm },
  form: { gap: space.md },
  subheading: { ...type.body, fontWeight: '700' },
});
