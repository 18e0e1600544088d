import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from 'react';
import { ApiError, api, setCsrfToken, setUnauthorizedHandler } from './api';
import { applyLocale } from './i18n';
import { can, type Permission } from './permissions';
import type { Locale, Session, User } from './types';

export const SESSION_KEY = ['session'] as const;

interface AuthContextValue {
  user: User | null;
  /** True until the first session probe has answered. */
  loading: boolean;
  login(username: string, password: string): Promise<User>;
  logout(): Promise<void>;
  /** Replace the cached user (after PATCH /me). */
  setUser(user: User): void;
  /** Switch the language now and store it on the user (applied at the next login too). */
  setLocale(locale: Locale): Promise<void>;
  can(permission: Permission): boolean;
}

const AuthContext = createContext<AuthContextValue | null>(null);

async function probeSession(): Promise<Session | null> {
  try {
    return await api.get<Session>('/session', undefined, { ignoreUnauthorized: true });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: SESSION_KEY, queryFn: probeSession, staleTime: Infinity, retry: 1 });
  const user = session.data?.user ?? null;

  useEffect(() => {
    setCsrfToken(session.data?.csrfToken ?? null);
  }, [session.data?.csrfToken]);

  // The session has ended (expired, logged out elsewhere): forget everything; RequireAuth shows /login.
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      queryClient.setQueryData(SESSION_KEY, null);
    });
  }, [queryClient]);

  // The user's stored language wins once we know who it is (login or reload).
  useEffect(() => {
    if (user?.locale) void applyLocale(user.locale);
  }, [user?.locale]);

  const login = useCallback(
    async (username: string, password: string) => {
      const reply = await api.post<Session>('/session', { username, password }, { ignoreUnauthorized: true });
      setCsrfToken(reply.csrfToken);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
      queryClient.setQueryData(SESSION_KEY, reply);
      return reply.user;
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    try {
      await api.delete('/session', { ignoreUnauthorized: true });
    } finally {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
    }
  }, [queryClient]);

  const setUser = useCallback(
    (next: User) =>
      queryClient.setQueryData<Session | null>(SESSION_KEY, (old) => (old ? { ...old, user: next } : old)),
    [queryClient],
  );

  const saveLocale = useMutation({ mutationFn: (locale: Locale) => api.patch<User>('/me', { locale }) });
  const setLocale = useCallback(
    async (locale: Locale) => {
      await applyLocale(locale);
      if (user && user.locale !== locale) setUser(await saveLocale.mutateAsync(locale));
    },
    [user, setUser, saveLocale.mutateAsync],
  );

  const value = useMemo<AuthContextValue>(
    () => ({
      user,
      loading: session.isPending,
      login,
      logout,
      setUser,
      setLocale,
      can: (permission) => can(user, permission),
    }),
    [user, session.isPending, login, logout, setUser, setLocale],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside <AuthProvider>');
  return ctx;
}

/** The logged-in user, for pages under RequireAuth. */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('useUser outside a logged-in page');
  return user;
}
