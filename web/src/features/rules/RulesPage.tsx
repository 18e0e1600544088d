import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Popconfirm, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { type RuleListItem, useDeleteRule, useRules } from './api';

export const SEVERITY_COLORS: Record<string, string> = { P1: 'red', P2: 'orange', P3: 'blue' };

/** Every alert rule with what it is doing now (firing, pending). */
export default function RulesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const navigate = useNavigate();
  const { message } = App.useApp();
  const showError = useShowError();
  const rules = useRules();
  const remove = useDeleteRule();

  const onDelete = async (r: RuleListItem) => {
    try {
      await remove.mutateAsync(r.id);
      void message.success(t('rules.deleted', { name: r.name }));
    } catch (err) {
      showError(err);
    }
  };

  return (
    <>
      <PageHeader
        title={t('nav.rules')}
        subtitle={t('rules.subtitle')}
        extra={
          <>
            <Link to="/rules/review">
              <Button>{t('nav.ruleReview')}</Button>
            </Link>
            {editable && (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/rules/new')}>
                {t('rules.new')}
              </Button>
            )}
          </>
        }
      />
      <Card>
        <Table<RuleListItem>
          rowKey="id"
          loading={rules.isLoading}
          dataSource={rules.data ?? []}
          pagination={false}
          locale={{ emptyText: <TableEmpty description={t('rules.empty')} /> }}
          columns={[
            {
              title: t('rules.name'),
              dataIndex: 'name',
              render: (name: string, r) => <Link to={`/rules/${r.id}`}>{name}</Link>,
            },
            {
              title: t('rules.kind'),
              dataIndex: 'kind',
              render: (k: string) => t(`rules.kinds.${k}` as 'rules.kinds.threshold'),
            },
            {
              title: t('rules.severity'),
              dataIndex: 'severity',
              render: (s: string) => <Tag color={SEVERITY_COLORS[s]}>{s}</Tag>,
            },
            {
              title: t('rules.state'),
              render: (_, r) => (
                <Space>
                  {r.firing > 0 && <Tag color="red">{t('rules.firingCount', { count: r.firing })}</Tag>}
                  {r.pending > 0 && <Tag color="gold">{t('rules.pendingCount', { count: r.pending })}</Tag>}
                  {!r.enabled && <Tag>{t('rules.disabled')}</Tag>}
                  {r.enabled && r.firing === 0 && r.pending === 0 && <Tag color="green">{t('rules.ok')}</Tag>}
                </Space>
              ),
            },
            ...(editable
              ? [
                  {
                    title: '',
                    width: 80,
                    render: (_: unknown, r: RuleListItem) => (
                      <Popconfirm
                        title={t('rules.confirmDelete', { name: r.name })}
                        onConfirm={() => onDelete(r)}
                      >
                        <Button size="small" danger>
                          {t('common.delete')}
                        </Button>
                      </Popconfirm>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
    </>
  );
}
