import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

import { pushRegistrationKey } from '@/features/notifications/keys';
import type { PushRegistration } from '@/features/notifications/registerPush';
import { checkServer, createApi, type Api } from '@/lib/api';
import { defaultServerUrl, STORAGE_KEYS } from '@/lib/config';
import { storage } from '@/lib/storage';

export type SessionStatus = 'loading' | 'signedOut' | 'signedIn';
export type SignInMode = 'login' | 'register';

interface SessionValue {
  status: SessionStatus;
  email: string | null;
  serverUrl: string;
  /** Why the user was sent to sign-in, when it was not their choice. */
  notice: string | null;
  api: Api;
  signIn: (mode: SignInMode, email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Revokes every session of the account (every device), this one included. */
  signOutEverywhere: () => Promise<void>;
  /** Changes the password; the server ends every other session and hands this one a new token. */
  changePassword: (current: string, next: string) => Promise<void>;
  /** Checks the address (GET /api/health) and keeps it; rejects with the reason otherwise. */
  setServerUrl: (url: string) => Promise<string>;
}

const SessionContext = createContext<SessionValue | null>(null);

interface Stored {
  loaded: boolean;
  token: string | null;
  email: string | null;
  serverUrl: string;
}

/** Holds the token and the server address, and the API client made from them. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [stored, setStored] = useState<Stored>({
    loaded: false,
    token: null,
    email: null,
    serverUrl: defaultServerUrl(),
  });
  const [notice, setNotice] = useState<string | null>(null);
  const tokenRef = useRef<string | null>(null);
  useEffect(() => {
    tokenRef.current = stored.token;
  }, [stored.token]);

  useEffect(() => {
    let alive = true;
    void (async () => {
      const [token, email, serverUrl] = await Promise.all([
        storage.getItem(STORAGE_KEYS.token).catch(() => null),
        storage.getItem(STORAGE_KEYS.email).catch(() => null),
        storage.getItem(STORAGE_KEYS.serverUrl).catch(() => null),
      ]);
      if (!alive) return;
      setStored({ loaded: true, token, email, serverUrl: serverUrl || defaultServerUrl() });
    })();
    return () => {
      alive = false;
    };
  }, []);

  const forget = useCallback(async () => {
    setStored((s) => ({ ...s, token: null }));
    queryClient.clear();
    await storage.deleteItem(STORAGE_KEYS.token).catch(() => undefined);
  }, [queryClient]);

  const onUnauthorized = useCallback(() => {
    // Several requests can fail at once with the same 401; expire the session once.
    if (!tokenRef.current) return;
    tokenRef.current = null;
    setNotice('Your session has ended. Please sign in again.');
    void forget();
  }, [forget]);

  const api = useMemo(
    // onUnauthorized reads the ref when a request fails, never while rendering.
    // eslint-disable-next-line react-hooks/refs
    () => createApi({ baseUrl: stored.serverUrl, token: stored.token, onUnauthorized }),
    [stored.serverUrl, stored.token, onUnauthorized],
  );

  const signIn = useCallback(
    async (mode: SignInMode, email: string, password: string) => {
      const auth = mode === 'register' ? await api.register(email, password) : await api.login(email, password);
      await storage.setItem(STORAGE_KEYS.token, auth.token);
      await storage.setItem(STORAGE_KEYS.email, auth.user.email);
      setNotice(null);
      setStored((s) => ({ ...s, token: auth.token, email: auth.user.email }));
    },
    [api],
  );

  const signOut = useCallback(async () => {
    // This device must stop receiving the account's notifications. Both calls are best effort:
    // signing out works offline too.
    const push = queryClient.getQueryData<PushRegistration>(pushRegistrationKey(stored.serverUrl, stored.email));
    if (push?.status === 'registered') await api.forgetPushToken(push.token).catch(() => undefined);
    await api.logout().catch(() => undefined);
    setNotice(null);
    await forget();
  }, [api, forget, queryClient, stored.serverUrl, stored.email]);

  const signOutEverywhere = useCallback(async () => {
    const push = queryClient.getQueryData<PushRegistration>(pushRegistrationKey(stored.serverUrl, stored.email));
    if (push?.status === 'registered') await api.forgetPushToken(push.token).catch(() => undefined);
    // Unlike signing out here, this must reach the server: the other devices only end there.
    await api.logoutAll();
    setNotice(null);
    await forget();
  }, [api, forget, queryClient, stored.serverUrl, stored.email]);

  const changePassword = useCallback(
    async (current: string, next: string) => {
      const auth = await api.changePassword(current, next);
      await storage.setItem(STORAGE_KEYS.token, auth.token);
      setStored((s) => ({ ...s, token: auth.token }));
    },
    [api],
  );

  const setServerUrl = useCallback(async (url: string) => {
    // Only an address where a Clipscope server answers is kept: a typo never blanks the app.
    const checked = await checkServer(url);
    await storage.setItem(STORAGE_KEYS.serverUrl, checked);
    setStored((s) => ({ ...s, serverUrl: checked }));
    return checked;
  }, []);

  const value = useMemo<SessionValue>(
    () => ({
      status: !stored.loaded ? 'loading' : stored.token ? 'signedIn' : 'signedOut',
      email: stored.email,
      serverUrl: stored.serverUrl,
      notice,
      api,
      signIn,
      signOut,
      signOutEverywhere,
      changePassword,
      setServerUrl,
    }),
    [stored, notice, api, signIn, signOut, signOutEverywhere, changePassword, setServerUrl],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionProvider>');
  return value;
}

export function useApi(): Api {
  return useSession().api;
}

/**
 * For queries: the client and whether it may be used yet. Screens can mount while the stored
 * session is still loading (so deep links survive); they must not ask the server without a token.
 */
export function useAuthedApi(): { api: Api; enabled: boolean } {
  const { api, status } = useSession();
  return { api, enabled: status === 'signedIn' };
}
