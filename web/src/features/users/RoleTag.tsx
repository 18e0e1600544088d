import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../app/types';

const COLORS: Record<Role, string> = {
  admin: 'magenta',
  manager: 'purple',
  responder: 'blue',
  agent: 'cyan',
  viewer: 'default',
};

export function RoleTag({ role }: { role: Role }) {
  const { t } = useTranslation();
  return <Tag color={COLORS[role]}>{t(`roles.${role}`)}</Tag>;
}
