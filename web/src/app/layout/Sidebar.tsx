import { Layout, Menu, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useAuth } from '../auth';
import { NAV_SECTIONS, PAGES } from '../pages';
import { usePageMatch } from './usePageMatch';

type Item = Required<MenuProps>['items'][number];

export function Sidebar({ collapsed, onCollapse }: { collapsed: boolean; onCollapse(c: boolean): void }) {
  const { t } = useTranslation();
  const { can } = useAuth();
  const navigate = useNavigate();
  const current = usePageMatch();
  const selected = current?.navPath ?? current?.path ?? '';

  const items: Item[] = [];
  for (const section of NAV_SECTIONS) {
    const children: Item[] = PAGES.filter(
      (p) => p.section === section.key && (!p.permission || can(p.permission)),
    ).map((p) => ({ key: p.path, icon: p.icon, label: t(p.titleKey) }));
    if (children.length === 0) continue;
    if (section.labelKey)
      items.push({ type: 'group', key: section.key, label: t(section.labelKey), children });
    else items.push(...children);
  }

  return (
    <Layout.Sider
      collapsible
      collapsed={collapsed}
      onCollapse={onCollapse}
      width={208}
      collapsedWidth={56}
      theme="dark"
      style={{ position: 'sticky', top: 0, height: '100vh', overflow: 'auto' }}
    >
      <div className="steady-brand">
        <img src="/favicon.svg" alt="" width={24} height={24} />
        {!collapsed && <span>Steady</span>}
      </div>
      <Menu
        theme="dark"
        mode="inline"
        selectedKeys={[selected]}
        items={items}
        onClick={({ key }) => navigate(key)}
        data-testid="nav"
        // The collapse trigger is fixed over the bottom of the sider: room for it below the last item.
        style={{ paddingBottom: 48 }}
      />
    </Layout.Sider>
  );
}
