import { DownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Avatar, Button, Dropdown, Flex, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ChangePasswordModal } from '../../features/profile/ChangePasswordModal';
import { useAuth, useUser } from '../auth';
import { useShowError } from '../errors';

export function UserMenu() {
  const { t } = useTranslation();
  const user = useUser();
  const { logout } = useAuth();
  const navigate = useNavigate();
  const showError = useShowError();
  const [changing, setChanging] = useState(false);

  const onClick = ({ key }: { key: string }) => {
    if (key === 'profile') navigate('/profile');
    if (key === 'password') setChanging(true);
    if (key === 'logout') logout().catch(showError);
  };

  return (
    <>
      <Dropdown
        trigger={['click']}
        menu={{
          onClick,
          items: [
            {
              key: 'who',
              disabled: true,
              label: (
                <div className="steady-user-who">
                  <div className="steady-mono">{user.username}</div>
                  <Typography.Text type="secondary">{t(`roles.${user.role}`)}</Typography.Text>
                </div>
              ),
            },
            { type: 'divider' },
            { key: 'profile', icon: <UserOutlined />, label: t('userMenu.profile') },
            { key: 'password', icon: <KeyOutlined />, label: t('userMenu.changePassword') },
            { type: 'divider' },
            { key: 'logout', icon: <LogoutOutlined />, label: t('userMenu.logout'), danger: true },
          ],
        }}
      >
        <Button type="text" data-testid="user-menu">
          <Flex align="center" gap={8}>
            <Avatar size={24} style={{ background: '#1668dc' }}>
              {user.displayName.slice(0, 1).toUpperCase()}
            </Avatar>
            <span>{user.displayName}</span>
            <DownOutlined style={{ fontSize: 10 }} />
          </Flex>
        </Button>
      </Dropdown>
      <ChangePasswordModal open={changing} onClose={() => setChanging(false)} />
    </>
  );
}
