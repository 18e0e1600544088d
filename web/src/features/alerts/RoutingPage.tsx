import { ExperimentOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../app/api';
import { useAuth } from '../../app/auth';
import { useShowError } from '../../app/errors';
import { FullPageSpin } from '../../components/FullPageSpin';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { usePolicies } from '../oncall/api';
import { DurationInput } from '../rules/DurationInput';
import { useServices } from '../services/api';
import { useTeams } from '../teams/api';
import { type RoutingTest, testRouting, useRouting, useSaveRouting } from './api';
import { RouteCard, targetFields } from './RouteCard';
import { fieldOf, nextRouteId, parseLabelText, type RoutingValues, toRoute, toValues } from './routingForm';

/**
 * The routing tree: a default route, then ordered routes from label matchers to service, team and
 * escalation policy (the first that matches wins unless it says "continue"). Labels can be tried against
 * the tree being edited before it is saved.
 */
export default function RoutingPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useAuth();
  const editable = can('editCatalog');
  const routing = useRouting();
  const save = useSaveRouting();
  const showError = useShowError();
  const services = useServices();
  const teams = useTeams();
  const policies = usePolicies();
  const [form] = Form.useForm<RoutingValues>();
  const [labels, setLabels] = useState('alertname=HighErrorRate\nservice=checkout\nseverity=critical');
  const [labelsError, setLabelsError] = useState<string | null>(null);
  const [result, setResult] = useState<RoutingTest | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [testing, setTesting] = useState(false);

  useEffect(() => {
    if (routing.data) form.setFieldsValue(toValues(routing.data));
  }, [routing.data, form]);

  const options = useMemo(
    () => ({
      services: (services.data ?? []).map((s) => ({ value: s.id, label: s.name })),
      teams: (teams.data ?? []).map((x) => ({ value: x.id, label: x.name })),
      policies: (policies.data ?? []).map((p) => ({ value: p.id, label: p.name })),
    }),
    [services.data, teams.data, policies.data],
  );
  const nameOf = (list: { value: string; label: string }[], id: string | null) =>
    id ? (list.find((o) => o.value === id)?.label ?? id) : '—';
  const rootId = routing.data?.route.id ?? 'default';
  const draft = () => toRoute(form.getFieldsValue(true) as RoutingValues, rootId);

  /** Server issues onto the fields they name; tree problems (duplicate ids, unknown team) above the form. */
  const onError = (err: unknown) => {
    if (err instanceof ApiError && err.status === 400) {
      const fields = err.issues.flatMap((i) => {
        const name = fieldOf(i.path);
        return name ? [{ name, errors: [i.message] }] : [];
      });
      if (fields.length > 0) form.setFields(fields as Parameters<typeof form.setFields>[0]);
      const listed = Array.isArray(err.details?.problems) ? (err.details.problems as string[]) : [];
      setProblems(listed.length > 0 ? listed : fields.length === 0 ? [err.message] : []);
      return;
    }
    showError(err);
  };

  const onTest = async () => {
    const parsed = parseLabelText(labels);
    if (!parsed) {
      setLabelsError(t('alerts.routing.labelsInvalid'));
      return;
    }
    setLabelsError(null);
    setTesting(true);
    try {
      setResult(await testRouting(parsed, draft()));
      setProblems([]);
    } catch (err) {
      setResult(null);
      onError(err);
    } finally {
      setTesting(false);
    }
  };

  const onSave = async () => {
    await form.validateFields();
    try {
      await save.mutateAsync({ route: draft(), inhibitRules: routing.data?.inhibitRules ?? [] });
      setProblems([]);
      void message.success(t('alerts.routing.saved'));
    } catch (err) {
      onError(err);
    }
  };

  const matched = new Set(result?.matches.map((m) => m.id) ?? []);
  const routeIds = (Form.useWatch('routes', form) ?? []) as { id: string }[];
  // Edits typed before the saved tree arrives would be overwritten by it: show the form only once it is here.
  if (routing.isPending) return <FullPageSpin />;

  return (
    <>
      <PageHeader
        title={t('alerts.nav.routing')}
        subtitle={t('alerts.routing.subtitle')}
        extra={
          editable && (
            <Button type="primary" onClick={onSave} loading={save.isPending} data-testid="routing-save">
              {t('common.save')}
            </Button>
          )
        }
      />
      {problems.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('alerts.routing.invalid')}
          description={
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          }
        />
      )}
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Form form={form} layout="vertical" disabled={!editable}>
            <Card
              title={t('alerts.routing.defaultRoute')}
              size="small"
              style={{ marginBottom: 16 }}
              data-testid="route-default"
              extra={
                routing.data?.updatedAt ? (
                  <Typography.Text type="secondary">
                    {t('alerts.routing.updated', { by: routing.data.updatedBy ?? '' })}{' '}
                    <Time value={routing.data.updatedAt} />
                  </Typography.Text>
                ) : null
              }
            >
              <Typography.Paragraph type="secondary">{t('alerts.routing.defaultHelp')}</Typography.Paragraph>
              <Space wrap align="start">
                {targetFields(t, ['root'], options, t('alerts.routing.none'))}
              </Space>
              <Space wrap align="start">
                <Form.Item
                  name={['root', 'groupBy']}
                  label={t('alerts.routing.groupBy')}
                  tooltip={t('alerts.routing.groupByHelp')}
                  style={{ marginBottom: 8 }}
                >
                  <Select mode="tags" style={{ width: 260 }} tokenSeparators={[',', ' ']} />
                </Form.Item>
                <Form.Item
                  name={['root', 'groupWaitSeconds']}
                  label={t('alerts.routing.groupWait')}
                  tooltip={t('alerts.routing.groupWaitHelp')}
                  style={{ marginBottom: 8 }}
                >
                  <DurationInput />
                </Form.Item>
                <Form.Item
                  name={['root', 'groupIntervalSeconds']}
                  label={t('alerts.routing.groupInterval')}
                  tooltip={t('alerts.routing.groupIntervalHelp')}
                  style={{ marginBottom: 8 }}
                >
                  <DurationInput />
                </Form.Item>
              </Space>
            </Card>
            <Typography.Title level={5}>{t('alerts.routing.routes')}</Typography.Title>
            <Typography.Paragraph type="secondary">{t('alerts.routing.routesHelp')}</Typography.Paragraph>
            <Form.List name="routes">
              {(fields, { add, remove, move }) => (
                <Space direction="vertical" style={{ width: '100%' }}>
                  {fields.length === 0 && <Empty description={t('alerts.routing.empty')} />}
                  {fields.map((f, i) => (
                    <RouteCard
                      key={f.key}
                      name={f.name}
                      index={i}
                      count={fields.length}
                      matched={!!routeIds[i] && matched.has(routeIds[i].id)}
                      nested={
                        ((form.getFieldValue(['routes', f.name, 'children']) as unknown[] | undefined) ?? [])
                          .length
                      }
                      options={options}
                      onMove={(to) => move(i, to)}
                      onRemove={() => remove(f.name)}
                    />
                  ))}
                  {editable && (
                    <Button
                      icon={<PlusOutlined />}
                      onClick={() =>
                        add({ id: nextRouteId(routeIds), matchers: '', continue: false, children: [] })
                      }
                    >
                      {t('alerts.routing.add')}
                    </Button>
                  )}
                </Space>
              )}
            </Form.List>
          </Form>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('alerts.routing.testTitle')} size="small" data-testid="routing-test">
            <Typography.Paragraph type="secondary">{t('alerts.routing.testHelp')}</Typography.Paragraph>
            <Input.TextArea
              aria-label={t('alerts.routing.testLabels')}
              className="steady-mono"
              autoSize={{ minRows: 3, maxRows: 10 }}
              value={labels}
              status={labelsError ? 'error' : undefined}
              onChange={(e) => setLabels(e.target.value)}
            />
            {labelsError && <Typography.Text type="danger">{labelsError}</Typography.Text>}
            <Button
              icon={<ExperimentOutlined />}
              style={{ marginTop: 8 }}
              onClick={onTest}
              loading={testing}
              data-testid="routing-test-run"
            >
              {t('alerts.routing.test')}
            </Button>
            {result && (
              <Space
                direction="vertical"
                style={{ width: '100%', marginTop: 16 }}
                data-testid="routing-result"
              >
                {result.matches.map((m) => (
                  <Descriptions
                    key={m.id}
                    size="small"
                    bordered
                    column={1}
                    title={
                      m.id === rootId ? (
                        <Tag>{t('alerts.routing.defaultMatched')}</Tag>
                      ) : (
                        <Space>
                          <Tag color="success">
                            {t('alerts.routing.matchedRoute', {
                              n: routeIds.findIndex((r) => r.id === m.path[1]) + 1,
                            })}
                          </Tag>
                          <span className="steady-mono">{m.path.slice(1).join(' › ')}</span>
                        </Space>
                      )
                    }
                    items={[
                      { label: t('alerts.routing.service'), children: nameOf(options.services, m.serviceId) },
                      { label: t('alerts.routing.team'), children: nameOf(options.teams, m.teamId) },
                      {
                        label: t('alerts.routing.policy'),
                        children: nameOf(options.policies, m.escalationPolicyId),
                      },
                      {
                        label: t('alerts.routing.severity'),
                        children: m.severity ?? t('alerts.routing.fromAlert'),
                      },
                      {
                        label: t('alerts.routing.groupedBy'),
                        children: (
                          <span className="steady-mono">
                            {Object.entries(m.groupLabels)
                              .map(([k, v]) => `${k}=${v}`)
                              .join(', ') || '—'}
                          </span>
                        ),
                      },
                      {
                        label: t('alerts.routing.groupWait'),
                        children: t('alerts.routing.seconds', { count: m.groupWaitSeconds }),
                      },
                    ]}
                  />
                ))}
              </Space>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
