import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { RouterProvider } from 'react-router-dom';
import { AuthProvider } from './auth';
import i18n from './i18n';
import { queryClient } from './queryClient';
import { router } from './router';

const FONT =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", ' +
  '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';

/** Ant Design follows the UI language (its own texts, date pickers) and the console's dense theme. */
function ThemedApp() {
  const { i18n: instance } = useTranslation();
  return (
    <ConfigProvider
      locale={instance.language === 'zh-CN' ? zhCN : enUS}
      theme={{
        algorithm: [theme.defaultAlgorithm, theme.compactAlgorithm],
        token: { colorPrimary: '#1668dc', borderRadius: 4, fontFamily: FONT, fontSize: 13 },
        components: {
          Layout: { headerHeight: 48, headerPadding: '0 16px', headerBg: '#fff', siderBg: '#0f1724' },
          Menu: { darkItemBg: '#0f1724', darkSubMenuItemBg: '#0f1724', darkGroupTitleColor: '#7d8797' },
          Table: { headerBg: '#f5f7fa' },
        },
      }}
    >
      <AntApp>
        <AuthProvider>
          <RouterProvider router={router} />
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <ThemedApp />
      </QueryClientProvider>
    </I18nextProvider>
  );
}
