import { GlobalOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { useShowError } from '../errors';
import { applyLocale, currentLocale, isLocale } from '../i18n';
import { LOCALES, type Locale } from '../types';

/** Language names are written in their own language, so anyone can find theirs. */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** Header language menu. Logged in: stored on the user (PATCH /me). Before login: this browser only. */
export function LanguageSwitch() {
  useTranslation();
  const { user, setLocale } = useAuth();
  const showError = useShowError();
  const locale = currentLocale();

  const choose = (next: Locale) => {
    const change = user ? setLocale(next) : applyLocale(next);
    change.catch((err: unknown) => showError(err));
  };

  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [locale],
        items: LOCALES.map((l) => ({ key: l, label: LANGUAGE_NAMES[l], 'data-testid': `lang-${l}` })),
        onClick: ({ key }) => isLocale(key) && choose(key),
      }}
    >
      <Button type="text" icon={<GlobalOutlined />} data-testid="lang-switch">
        {LANGUAGE_NAMES[locale]}
      </Button>
    </Dropdown>
  );
}
