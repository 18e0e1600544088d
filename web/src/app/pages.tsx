import {
  AimOutlined,
  AlertOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AppstoreOutlined,
  AreaChartOutlined,
  AuditOutlined,
  BranchesOutlined,
  CloudDownloadOutlined,
  DashboardOutlined,
  FireOutlined,
  HeartOutlined,
  HistoryOutlined,
  KeyOutlined,
  LineChartOutlined,
  NotificationOutlined,
  ScheduleOutlined,
  StopOutlined,
  TeamOutlined,
  ToolOutlined,
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

export type NavSection = 'home' | 'catalog' | 'admin' | 'monitoring' | 'respond';

/** Navigation groups in order; `home` entries sit above the groups without a heading. */
export const NAV_SECTIONS: { key: NavSection; labelKey: ParseKeys | null }[] = [
  { key: 'home', labelKey: null },
  { key: 'catalog', labelKey: 'nav.catalog' },
  { key: 'monitoring', labelKey: 'nav.monitoring' },
  { key: 'respond', labelKey: 'nav.respond' },
  { key: 'admin', labelKey: 'nav.admin' },
];

export const PAGES: PageDef[] = [
  {
    path: '/alerts',
    titleKey: 'alerts.nav.alerts',
    section: 'respond',
    icon: <AlertOutlined />,
    component: lazy(() => import('../features/alerts/AlertsPage')),
  },
  {
    path: '/alerts/silences',
    titleKey: 'alerts.nav.silences',
    section: 'respond',
    icon: <StopOutlined />,
    component: lazy(() => import('../features/alerts/SilencesPage')),
  },
  {
    path: '/alerts/maintenance',
    titleKey: 'alerts.nav.maintenance',
    section: 'respond',
    icon: <ToolOutlined />,
    component: lazy(() => import('../features/alerts/MaintenancePage')),
  },
  {
    path: '/alerts/integrations',
    titleKey: 'alerts.nav.integrations',
    section: 'respond',
    icon: <ApiOutlined />,
    component: lazy(() => import('../features/alerts/IntegrationsPage')),
  },
  {
    path: '/alerts/routing',
    titleKey: 'alerts.nav.routing',
    section: 'respond',
    icon: <BranchesOutlined />,
    component: lazy(() => import('../features/alerts/RoutingPage')),
  },
  {
    path: '/incidents',
    titleKey: 'nav.incidents',
    section: 'respond',
    icon: <FireOutlined />,
    component: lazy(() => import('../features/incidents/IncidentsPage')),
  },
  {
    path: '/incidents/:id',
    titleKey: 'incidents.detailTitle',
    navPath: '/incidents',
    component: lazy(() => import('../features/incidents/IncidentDetailPage')),
  },
  {
    path: '/oncall',
    titleKey: 'nav.oncall',
    section: 'respond',
    icon: <ScheduleOutlined />,
    component: lazy(() => import('../features/oncall/OncallPage')),
  },
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
    path: '/monitoring',
    titleKey: 'signals.nav.health',
    section: 'monitoring',
    icon: <HeartOutlined />,
    component: lazy(() => import('../features/signals/ServiceHealthPage')),
  },
  {
    path: '/monitoring/explore',
    titleKey: 'signals.nav.explorer',
    section: 'monitoring',
    icon: <AreaChartOutlined />,
    component: lazy(() => import('../features/signals/ExplorerPage')),
  },
  {
    path: '/monitoring/probes',
    titleKey: 'signals.nav.probes',
    section: 'monitoring',
    icon: <AimOutlined />,
    component: lazy(() => import('../features/signals/ProbesPage')),
  },
  {
    path: '/monitoring/probes/:id',
    titleKey: 'signals.probes.detailTitle',
    navPath: '/monitoring/probes',
    component: lazy(() => import('../features/signals/ProbeDetailPage')),
  },
  {
    path: '/monitoring/targets',
    titleKey: 'signals.nav.targets',
    section: 'monitoring',
    icon: <CloudDownloadOutlined />,
    component: lazy(() => import('../features/signals/TargetsPage')),
  },
  {
    path: '/rules',
    titleKey: 'nav.rules',
    section: 'monitoring',
    icon: <AlertOutlined />,
    component: lazy(() => import('../features/rules/RulesPage')),
  },
  {
    path: '/rules/review',
    titleKey: 'nav.ruleReview',
    section: 'monitoring',
    icon: <LineChartOutlined />,
    component: lazy(() => import('../features/rules/RuleReviewPage')),
  },
  {
    path: '/rules/:id',
    titleKey: 'rules.editTitle',
    navPath: '/rules',
    component: lazy(() => import('../features/rules/RuleEditorPage')),
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
  {
    path: '/notify/channels',
    titleKey: 'nav.notifyChannels',
    section: 'respond',
    icon: <NotificationOutlined />,
    component: lazy(() => import('../features/notify/ChannelsPage')),
  },
  {
    path: '/notify/log',
    titleKey: 'nav.notifyLog',
    section: 'respond',
    icon: <HistoryOutlined />,
    component: lazy(() => import('../features/notify/DeliveryLogPage')),
  },
  {
    path: '/notify/team-rules',
    titleKey: 'nav.notifyTeamRules',
    section: 'respond',
    icon: <TeamOutlined />,
    component: lazy(() => import('../features/notify/TeamRulesPage')),
  },
  {
    path: '/profile/notifications',
    titleKey: 'nav.myNotifications',
    navPath: '/profile',
    component: lazy(() => import('../features/notify/MyNotificationsPage')),
  },
];
