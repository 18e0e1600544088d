import { Empty, Select, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { useTeams } from '../teams/api';
import { TeamRulesCard } from './TeamRulesCard';

/** Per-team default notification rules, one team at a time (the team is in the URL, so links can name it). */
export default function TeamRulesPage() {
  const { t } = useTranslation();
  const teams = useTeams();
  const [params, setParams] = useSearchParams();
  const teamId = params.get('team') ?? teams.data?.[0]?.id;
  const team = teams.data?.find((x) => x.id === teamId);

  return (
    <>
      <PageHeader
        title={t('nav.notifyTeamRules')}
        subtitle={t('notify.teamRules.subtitle')}
        extra={
          <Space>
            <Typography.Text type="secondary">{t('notify.teamRules.team')}</Typography.Text>
            <Select
              aria-label={t('notify.teamRules.team')}
              style={{ width: 240 }}
              showSearch
              optionFilterProp="label"
              loading={teams.isPending}
              value={teamId}
              onChange={(id) => setParams({ team: id })}
              options={(teams.data ?? []).map((x) => ({ value: x.id, label: x.name }))}
            />
          </Space>
        }
      />
      {teams.data?.length === 0 && <Empty description={t('notify.teamRules.noTeams')} />}
      {teamId && team && <TeamRulesCard key={teamId} teamId={teamId} title={team.name} />}
    </>
  );
}
