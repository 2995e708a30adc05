import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { Screen } from '@/ui/Screen';
import { TextField } from '@/ui/TextField';
import { colors, radius, space, type } from '@/ui/theme';

import { ServerField } from './ServerField';
import { useSession, type SignInMode } from './session';

const MIN_PASSWORD = 8;

export function SignInScreen() {
  const { signIn, notice, email: lastEmail } = useSession();
  const [mode, setMode] = useState<SignInMode>('login');
  // The last account's address: after "Your session has ended" only the password is missing.
  const [email, setEmail] = useState(lastEmail ?? '');
  const [password, setPassword] = useState('');
  const submit = useMutation({ mutationFn: () => signIn(mode, email.trim(), password) });

  const tooShort = mode === 'register' && password.length > 0 && password.length < MIN_PASSWORD;
  const canSubmit = email.trim().length > 3 && password.length >= (mode === 'register' ? MIN_PASSWORD : 1);

  return (
    <Screen testID="sign-in-screen">
      <View style={styles.hero}>
        <Text style={styles.logo}>Clipscope</Text>
        <Text style={styles.tagline}>Scenes, motion and quality of your videos, in a minute.</Text>
      </View>
      <Card>
        <View style={styles.tabs} accessibilityRole="tablist">
          {(['login', 'register'] as const).map((m) => (
            <Pressable
              key={m}
              accessibilityRole="tab"
              accessibilityState={{ selected: mode === m }}
              onPress={() => {
                setMode(m);
                submit.reset();
              }}
              style={[styles.tab, mode === m && styles.tabActive]}
            >
              <Text style={[styles.tabText, mode === m && styles.tabTextActive]}>
                {m === 'login' ? 'Sign in' : 'Create account'}
              </Text>
            </Pressable>
          ))}
        </View>
        {notice ? <Text style={styles.notice}>{notice}</Text> : null}
        <TextField
          label="Email"
          value={email}
          onChangeText={setEmail}
          autoCapitalize="none"
          autoComplete="email"
          keyboardType="email-address"
          inputMode="email"
          placeholder="you@example.com"
          testID="email-input"
        />
        <TextField
          label="Password"
          value={password}
          onChangeText={setPassword}
          secureTextEntry
          autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
          placeholder={mode === 'register' ? `At least ${MIN_PASSWORD} characters` : 'Your password'}
          onSubmitEditing={() => canSubmit && submit.mutate()}
          testID="password-input"
        />
        {tooShort ? <Text style={styles.hint}>Passwords have at least {MIN_PASSWORD} characters.</Text> : null}
        {submit.error ? <ErrorNotice error={submit.error} /> : null}
        <Button
          label={mode === 'login' ? 'Sign in' : 'Create account'}
          onPress={() => submit.mutate()}
          disabled={!canSubmit}
          busy={submit.isPending}
          testID="submit-button"
        />
      </Card>
      <ServerField />
    </Screen>
  );
}

const styles = StyleSheet.create({
  hero: { paddingTop: space.xxl, paddingBottom: space.sm, gap: space.sm, alignItems: 'center' },
  logo: { ...type.title, fontSize: 34, color: colors.accent, letterSpacing: -0.5 },
  tagline: { ...type.body, color: colors.muted, textAlign: 'center' },
  tabs: { flexDirection: 'row', backgroundColor: colors.background, borderRadius: radius.md, padding: 4 },
  tab: { flex: 1, paddingVertical: space.sm, borderRadius: radius.sm, alignItems: 'center' },
  tabActive: { backgroundColor: colors.surface, shadowColor: '#000', shadowOpacity: 0.08, shadowRadius: 4, shadowOffset: { width: 0, height: 1 } },
  tabText: { fontWeight: '600', color: colors.muted },
  tabTextActive: { color: colors.text },
  notice: { color: colors.warning, backgroundColor: colors.warningSoft, padding: space.sm, borderRadius: radius.sm },
  hint: { ...type.small },
});
