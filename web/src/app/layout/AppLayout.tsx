import { Breadcrumb, Layout } from 'antd';
import { Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet } from 'react-router-dom';
import { FullPageSpin } from '../../components/FullPageSpin';
import { NAV_SECTIONS, PAGES } from '../pages';
import { LanguageSwitch } from './LanguageSwitch';
import { Sidebar } from './Sidebar';
import { UserMenu } from './UserMenu';
import { usePageMatch } from './usePageMatch';

const COLLAPSED_KEY = 'steady.sider.collapsed';

/** The console frame: navigation on the left, page title, language and user menu on top. */
export function AppLayout() {
  const { t } = useTranslation();
  const page = usePageMatch();
  const [collapsed, setCollapsed] = useState(() => localStorage.getItem(COLLAPSED_KEY) === '1');
  // A detail page sits under the listed page it belongs to (e.g. a team under Teams).
  const parent = page?.navPath ? PAGES.find((p) => p.path === page.navPath) : undefined;
  const section = NAV_SECTIONS.find((s) => s.key === (parent ?? page)?.section)?.labelKey;
  const title = page ? t(page.titleKey) : '';
  const crumbs = [
    ...(section ? [{ title: t(section) }] : []),
    ...(parent ? [{ title: <Link to={parent.path}>{t(parent.titleKey)}</Link> }] : []),
    ...(title ? [{ title }] : []),
  ];

  useEffect(() => {
    document.title = title ? `${title} · Steady` : 'Steady';
  }, [title]);

  const collapse = (c: boolean) => {
    setCollapsed(c);
    localStorage.setItem(COLLAPSED_KEY, c ? '1' : '0');
  };

  return (
    <Layout className="steady-shell">
      <Sidebar collapsed={collapsed} onCollapse={collapse} />
      <Layout>
        <Layout.Header className="steady-header">
          <Breadcrumb items={crumbs} />
          <div className="steady-header-actions">
            <LanguageSwitch />
            <UserMenu />
          </div>
        </Layout.Header>
        <Layout.Content className="steady-content">
          <Suspense fallback={<FullPageSpin />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
