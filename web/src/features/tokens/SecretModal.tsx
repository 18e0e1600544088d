import { Alert, Button, Modal, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** The new token's secret, shown exactly once: the server keeps only its hash. */
export function SecretModal({ secret, onClose }: { secret: string | null; onClose(): void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={!!secret}
      title={t('tokens.secretTitle')}
      onCancel={onClose}
      mask={{ closable: false }}
      footer={
        <Button type="primary" onClick={onClose}>
          {t('tokens.secretDone')}
        </Button>
      }
    >
      <Alert type="warning" showIcon title={t('tokens.secretWarning')} style={{ marginBottom: 12 }} />
      <Typography.Paragraph
        copyable={{ text: secret ?? '', tooltips: [t('common.copy'), t('common.copied')] }}
        className="steady-json"
        data-testid="token-secret"
      >
        {secret}
      </Typography.Paragraph>
      <Typography.Text type="secondary">{t('tokens.secretUsage')}</Typography.Text>
      <pre className="steady-json" style={{ marginTop: 4 }}>
        Authorization: Bearer {'<token>'}
      </pre>
    </Modal>
  );
}
