import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Link, Navigate, useLocation } from 'react-router-dom';
import { FullPageSpin } from '../components/FullPageSpin';
import LoginPage from '../features/auth/LoginPage';
import { useAuth } from './auth';
import { AppLayout } from './layout/AppLayout';
import { PAGES, type PageDef } from './pages';

function RequireAuth({ children }: { children: ReactNode }) {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <FullPageSpin />;
  if (!user) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}

function Guarded({ page }: { page: PageDef }) {
  const { can } = useAuth();
  const { t } = useTranslation();
  if (page.permission && !can(page.permission)) {
    return <Result status="403" title="403" subTitle={t('errors.pageForbidden')} />;
  }
  const Page = page.component;
  return <Page />;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('errors.pageNotFound')}
      extra={
        <Link to="/">
          <Button type="primary">{t('common.backHome')}</Button>
        </Link>
      }
    />
  );
}

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      ...PAGES.map((page) => ({ path: page.path, element: <Guarded page={page} /> })),
      { path: '*', element: <NotFound /> },
    ],
  },
]);
