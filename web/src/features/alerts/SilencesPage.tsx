import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Popconfirm, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { TableEmpty } from '../../components/TableEmpty';
import { Time } from '../../components/Time';
import { type Silence, useExpireSilence, useSilences } from './api';
import { formatMatchers } from './matchers';
import { SilenceForm } from './SilenceForm';

const STATE_COLOR = { active: 'green', pending: 'blue', expired: 'default' } as const;

export default function SilencesPage() {
  const { t } = useTranslation();
  const { can } = useAuth();
  const silences = useSilences();
  const expire = useExpireSilence();
  const showError = useShowError();
  const [editing, setEditing] = useState<Silence | 'new' | null>(null);
  const editable = can('respond');
  return (
    <>
      <PageHeader
        title={t('alerts.nav.silences')}
        subtitle={t('alerts.silences.subtitle')}
        extra={
          editable && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('alerts.silences.create')}
            </Button>
          )
        }
      />
      <Card>
        <Table<Silence>
          rowKey="id"
          loading={silences.isLoading}
          dataSource={silences.data ?? []}
          locale={{ emptyText: <TableEmpty description={t('alerts.silences.empty')} /> }}
          columns={[
            {
              title: t('alerts.silences.matchers'),
              render: (_, s) => <code>{`{${formatMatchers(s.matchers)}}`}</code>,
            },
            {
              title: t('alerts.silences.state'),
              dataIndex: 'state',
              width: 110,
              render: (v: Silence['state']) => (
                <Tag color={STATE_COLOR[v]}>{t(`alerts.silences.states.${v}`)}</Tag>
              ),
            },
            {
              title: t('alerts.silences.ends'),
              dataIndex: 'endsAt',
              width: 180,
              render: (v: number) => <Time value={v} mode="both" />,
            },
            { title: t('alerts.silences.comment'), dataIndex: 'comment' },
            { title: t('alerts.silences.createdBy'), dataIndex: 'createdBy', width: 140 },
            {
              width: 160,
              render: (_, s) =>
                editable && s.state !== 'expired' ? (
                  <>
                    <Button type="link" onClick={() => setEditing(s)}>
                      {t('common.edit')}
                    </Button>
                    <Popconfirm
                      title={t('alerts.silences.expireConfirm')}
                      onConfirm={() => expire.mutateAsync(s.id).catch(showError)}
                    >
                      <Button type="link" danger>
                        {t('alerts.silences.expire')}
                      </Button>
                    </Popconfirm>
                  </>
                ) : null,
            },
          ]}
        />
      </Card>
      <SilenceForm
        open={editing !== null}
        initial={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
      />
    </>
  );
}
