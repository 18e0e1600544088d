import { Alert, App, Button, Card, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { Time } from '../../components/Time';
import { useChannels, useSaveTeamRules, useTeamRules } from './api';
import { fromRows, type RuleRow, RuleRows, toRows } from './RuleRows';

/**
 * A team's default notification rules: what reaches a member who has set no rules of their own. Used on
 * the notification rules page and on the team's own page.
 */
export function TeamRulesCard({ teamId, title }: { teamId: string; title?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const current = useTeamRules(teamId);
  const channels = useChannels();
  const save = useSaveTeamRules();
  const showError = useShowError();
  const [rows, setRows] = useState<RuleRow[]>([]);

  useEffect(() => {
    if (current.data) setRows(toRows(current.data.rules));
  }, [current.data]);

  const onSave = async () => {
    try {
      await save.mutateAsync({ teamId, rules: fromRows(rows) });
      void message.success(t('notify.teamRules.saved'));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <Card
      size="small"
      title={title ?? t('notify.teamRules.title')}
      loading={current.isPending}
      data-testid="team-rules"
      extra={
        editable && (
          <Button type="primary" size="small" onClick={onSave} loading={save.isPending}>
            {t('common.save')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('notify.teamRules.hint')}</Typography.Paragraph>
      {channels.data?.length === 0 && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={
            <>
              {t('notify.teamRules.noChannels')} <Link to="/notify/channels">{t('nav.notifyChannels')}</Link>
            </>
          }
        />
      )}
      {rows.length === 0 && (
        <Typography.Paragraph type="secondary" italic>
          {t('notify.teamRules.none')}
        </Typography.Paragraph>
      )}
      <RuleRows rows={rows} onChange={setRows} disabled={!editable} />
      {current.data?.updatedAt && (
        <Space style={{ marginTop: 12 }}>
          <Typography.Text type="secondary">{t('common.updated')}</Typography.Text>
          <Time value={current.data.updatedAt} />
        </Space>
      )}
    </Card>
  );
}
