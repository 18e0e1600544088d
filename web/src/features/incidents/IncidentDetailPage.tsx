import {
  Button,
  Card,
  Col,
  Collapse,
  Descriptions,
  Dropdown,
  Input,
  Row,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { useUsers } from '../users/api';
import { SEVERITIES, type TimelineEvent, useIncident, useIncidentAction, useTimeline } from './api';
import { IncidentAlerts } from './IncidentAlerts';
import { SeverityTag, StateTag } from './IncidentTags';
import { ReviewCard } from './ReviewCard';

const COLOR: Record<string, string> = {
  opened: 'red',
  sla_breached: 'red',
  escalated: 'orange',
  escalation_requested: 'orange',
  re_triggered: 'orange',
  acknowledged: 'gold',
  resolved: 'green',
  closed: 'gray',
};

/** One line of the timeline: what happened, in the UI language, with the details that matter. */
function EventText({ e }: { e: TimelineEvent }) {
  const { t } = useTranslation();
  const d = e.data as Record<string, string | number | null | undefined>;
  const detail =
    e.kind === 'note'
      ? d.text
      : e.kind === 'notification'
        ? [
            d.purpose === 'resolved' ? t('incidents.timeline.resolvedFollowUp') : null,
            d.userName,
            d.channel,
            d.status,
          ]
            .filter(Boolean)
            .join(' · ') + (d.reason ? ` (${d.reason})` : '')
        : e.kind === 'notification_delivery'
          ? [d.channel, d.to, d.status].filter(Boolean).join(' · ') + (d.error ? ` (${d.error})` : '')
          : e.kind === 'escalated'
            ? t('incidents.timeline.step', { step: d.step, steps: d.steps, round: d.round })
            : e.kind === 'severity_changed'
              ? `${d.from} → ${d.to}`
              : e.kind === 'sla_breached'
                ? t(`incidents.timeline.target.${d.target === 'resolve' ? 'resolve' : 'acknowledge'}`)
                : e.kind.startsWith('alert_')
                  ? String(
                      (e.data.labels as Record<string, string> | undefined)?.alertname ?? d.alertId ?? '',
                    )
                  : (d.name ?? d.note ?? d.reason ?? d.parentRef ?? d.childRef ?? d.title ?? '');
  return (
    <div data-testid={`event-${e.kind}`}>
      <Typography.Text strong>
        {t(`incidents.events.${e.kind}` as 'incidents.events.note', { defaultValue: e.kind })}
      </Typography.Text>{' '}
      {detail ? <Typography.Text>{String(detail)}</Typography.Text> : null}
      <div>
        <Typography.Text type="secondary">
          {e.actorName} · <Time value={e.at} mode="both" />
        </Typography.Text>
      </div>
    </div>
  );
}

export default function IncidentDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { can } = useAuth();
  const incident = useIncident(id);
  const timeline = useTimeline(id);
  const users = useUsers();
  const action = useIncidentAction();
  const showError = useShowError();
  const [note, setNote] = useState('');
  const inc = incident.data;
  const responder = can('respond');

  const run = async (method: 'post' | 'put', path: string, body?: unknown) => {
    try {
      await action.mutateAsync({ method, path: `/incidents/${id}${path}`, body });
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  };
  if (!inc) return <Card loading />;
  const open = inc.state === 'triggered' || inc.state === 'acknowledged';
  const userOptions = (users.data ?? []).map((u) => ({ value: u.id, label: u.displayName }));

  return (
    <>
      <PageHeader
        title={
          <span>
            <span className="steady-mono">{inc.ref}</span> {inc.title}
          </span>
        }
        subtitle={
          <Space size={4}>
            <SeverityTag severity={inc.severity} />
            <StateTag state={inc.state} />
            {inc.ackBreachedAt && (
              <Tag color="red" data-testid="ack-breached">
                {t('incidents.ackBreached')}
              </Tag>
            )}
            {inc.resolveBreachedAt && <Tag color="volcano">{t('incidents.resolveBreached')}</Tag>}
          </Space>
        }
        extra={
          responder && (
            <>
              {inc.state === 'triggered' && (
                <Button
                  type="primary"
                  onClick={() => run('post', '/acknowledge', {})}
                  data-testid="incident-ack"
                >
                  {t('incidents.actions.acknowledge')}
                </Button>
              )}
              {open && (
                <Button onClick={() => run('post', '/resolve', {})} data-testid="incident-resolve">
                  {t('incidents.actions.resolve')}
                </Button>
              )}
              {open && inc.escalation && (
                <Button danger onClick={() => run('post', '/escalate', {})}>
                  {t('incidents.actions.escalate')}
                </Button>
              )}
              {inc.state === 'resolved' && (
                <Button onClick={() => run('post', '/reopen', {})}>{t('incidents.actions.reopen')}</Button>
              )}
              {inc.state === 'resolved' && (
                <Button type="primary" onClick={() => run('post', '/close', {})} data-testid="incident-close">
                  {t('incidents.actions.close')}
                </Button>
              )}
              {inc.state !== 'closed' && (
                <Dropdown
                  menu={{
                    items: SEVERITIES.filter((s) => s !== inc.severity).map((s) => ({
                      key: s,
                      label: `${s} ${t(`incidents.severity.${s}`)}`,
                      onClick: () => run('put', '/severity', { severity: s }),
                    })),
                  }}
                >
                  <Button>{t('incidents.actions.severity')}</Button>
                </Dropdown>
              )}
            </>
          )
        }
      />
      <Row gutter={16}>
        <Col span={14}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small">
              <Descriptions size="small" column={2}>
                <Descriptions.Item label={t('incidents.fields.service')}>
                  {inc.serviceName ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.team')}>
                  {inc.teamName ?? '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.assignee')}>
                  <Select
                    size="small"
                    allowClear
                    disabled={!responder}
                    style={{ minWidth: 160 }}
                    value={inc.assigneeId ?? undefined}
                    options={userOptions}
                    onChange={(v) => run('put', '/assignment', { assigneeId: v ?? null })}
                    data-testid="incident-assignee"
                  />
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.commander')}>
                  <Select
                    size="small"
                    allowClear
                    disabled={!responder}
                    style={{ minWidth: 160 }}
                    value={inc.commanderId ?? undefined}
                    options={userOptions}
                    onChange={(v) => run('put', '/assignment', { commanderId: v ?? null })}
                  />
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.opened')}>
                  <Time value={inc.createdAt} mode="both" />
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.ackDue')}>
                  <Time value={inc.ackDueAt} mode="both" />
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.acknowledged')}>
                  <Time value={inc.acknowledgedAt} mode="both" />
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.resolveDue')}>
                  <Time value={inc.resolveDueAt} mode="both" />
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.policy')}>
                  {inc.escalation
                    ? t('incidents.policyProgress', {
                        name: inc.escalation.policyName,
                        step: Math.min(inc.escalationStep, inc.escalation.steps.length),
                        steps: inc.escalation.steps.length,
                      })
                    : '—'}
                </Descriptions.Item>
                <Descriptions.Item label={t('incidents.fields.source')}>{inc.source}</Descriptions.Item>
              </Descriptions>
              {inc.description && (
                <Typography.Paragraph style={{ marginTop: 8 }}>{inc.description}</Typography.Paragraph>
              )}
            </Card>
            <IncidentAlerts id={id} />
            {/* While the fire is on, the review waits folded away; it is required before closing P1/P2. */}
            {open && inc.severity !== 'P3' ? (
              <Collapse
                size="small"
                items={[
                  {
                    key: 'review',
                    label: t('incidents.review.later'),
                    children: <ReviewCard id={id} editable={responder} />,
                  },
                ]}
              />
            ) : inc.severity !== 'P3' || !open ? (
              <ReviewCard id={id} editable={responder} />
            ) : null}
          </Space>
        </Col>
        <Col span={10}>
          <Card size="small" title={t('incidents.timeline.title')} data-testid="incident-timeline">
            {responder && (
              <Space.Compact style={{ width: '100%', marginBottom: 16 }}>
                <Input
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  placeholder={t('incidents.notePlaceholder')}
                  data-testid="incident-note"
                />
                <Button
                  disabled={!note.trim()}
                  onClick={async () => {
                    if (await run('post', '/notes', { text: note })) setNote('');
                  }}
                >
                  {t('incidents.actions.note')}
                </Button>
              </Space.Compact>
            )}
            <Timeline
              items={(timeline.data ?? []).map((e) => ({
                key: e.id,
                color: COLOR[e.kind] ?? 'blue',
                children: <EventText e={e} />,
              }))}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
