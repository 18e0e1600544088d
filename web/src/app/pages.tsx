import {
  ApartmentOutlined,
  AppstoreOutlined,
  AuditOutlined,
  DashboardOutlined,
  KeyOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ParseKeys } from 'i18next';
import { type ComponentType, type LazyExoticComponent, lazy, type ReactNode } from 'react';
import type { Permission } from './permissions';

/**
 * Every page of the console, in one list: the router and the left navigation are both built from it.
 * A new module adds its pages here (and its section to NAV_SECTIONS) — nothing else to wire.
 */
export interface PageDef {
  /** Route path (absolute). */
  path: string;
  /** i18n key of the page title (also the navigation label and the browser tab title). */
  titleKey: ParseKeys;
  component: LazyExoticComponent<ComponentType>;
  /** Navigation group; a page without one is reachable but not listed (e.g. a detail page). */
  section?: NavSection;
  icon?: ReactNode;
  /** Which navigation entry to highlight for a page that is not listed itself. */
  navPath?: string;
  /** Hidden from the navigation and refused (403 page) without it. */
  permission?: Permission;
}

export type NavSection = 'home' | 'catalog' | 'admin';

/** Navigation groups in order; `home` entries sit above the groups without a heading. */
export const NAV_SECTIONS: { key: NavSection; labelKey: ParseKeys | null }[] = [
  { key: 'home', labelKey: null },
  { key: 'catalog', labelKey: 'nav.catalog' },
  { key: 'admin', labelKey: 'nav.admin' },
];

export const PAGES: PageDef[] = [
  {
    path: '/',
    titleKey: 'nav.overview',
    section: 'home',
    icon: <DashboardOutlined />,
    component: lazy(() => import('../features/overview/OverviewPage')),
  },
  {
    path: '/services',
    titleKey: 'nav.services',
    section: 'catalog',
    icon: <AppstoreOutlined />,
    component: lazy(() => import('../features/services/ServicesPage')),
  },
  {
    path: '/teams',
    titleKey: 'nav.teams',
    section: 'catalog',
    icon: <ApartmentOutlined />,
    component: lazy(() => import('../features/teams/TeamsPage')),
  },
  {
    path: '/teams/:id',
    titleKey: 'teams.detailTitle',
    navPath: '/teams',
    component: lazy(() => import('../features/teams/TeamDetailPage')),
  },
  {
    path: '/admin/users',
    titleKey: 'nav.users',
    section: 'admin',
    icon: <TeamOutlined />,
    component: lazy(() => import('../features/users/UsersPage')),
  },
  {
    path: '/admin/tokens',
    titleKey: 'nav.tokens',
    section: 'admin',
    icon: <KeyOutlined />,
    component: lazy(() => import('../features/tokens/TokensPage')),
  },
  {
    path: '/admin/audit',
    titleKey: 'nav.audit',
    section: 'admin',
    icon: <AuditOutlined />,
    permission: 'viewAudit',
    component: lazy(() => import('../features/audit/AuditPage')),
  },
  {
    path: '/profile',
    titleKey: 'nav.profile',
    icon: <UserOutlined />,
    component: lazy(() => import('../features/profile/ProfilePage')),
  },
];
