import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Select, Space, Switch, Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { parseMatchers } from './matchers';

export interface Option {
  value: string;
  label: string;
}

/**
 * The service / team / escalation-policy pickers, shared by the default route and every route. A plain
 * function returning an array, so the enclosing <Space> lays the three fields out side by side.
 */
export function targetFields(
  t: TFunction,
  prefix: (string | number)[],
  options: { services: Option[]; teams: Option[]; policies: Option[] },
  inheritLabel: string,
) {
  const { services, teams, policies } = options;
  const pick = (name: string, label: string, options: Option[]) => (
    <Form.Item key={name} name={[...prefix, name]} label={label} style={{ marginBottom: 8 }}>
      <Select
        allowClear
        showSearch
        optionFilterProp="label"
        placeholder={inheritLabel}
        style={{ width: 200 }}
        options={options}
      />
    </Form.Item>
  );
  return [
    pick('serviceId', t('alerts.routing.service'), services),
    pick('teamId', t('alerts.routing.team'), teams),
    pick('escalationPolicyId', t('alerts.routing.policy'), policies),
  ];
}

/** One route of the ordered list: matchers → where its alerts go, with move, delete and `continue`. */
export function RouteCard({
  name,
  index,
  count,
  matched,
  nested,
  options,
  onMove,
  onRemove,
}: {
  name: number;
  index: number;
  count: number;
  matched: boolean;
  nested: number;
  options: { services: Option[]; teams: Option[]; policies: Option[] };
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const routeId = Form.useWatch(['routes', name, 'id']) as string | undefined;
  return (
    <Card
      size="small"
      data-testid={`route-${index}`}
      style={matched ? { borderColor: '#52c41a', boxShadow: '0 0 0 1px #52c41a' } : undefined}
      title={
        <Space>
          <Tag>#{index + 1}</Tag>
          <span className="steady-mono">{routeId}</span>
          {matched && <Tag color="success">{t('alerts.routing.matchesTag')}</Tag>}
          {nested > 0 && (
            <Tooltip title={t('alerts.routing.nestedHelp')}>
              <Tag>{t('alerts.routing.nested', { count: nested })}</Tag>
            </Tooltip>
          )}
        </Space>
      }
      extra={
        <Space size={4}>
          <Button
            size="small"
            icon={<ArrowUpOutlined />}
            disabled={index === 0}
            aria-label={t('alerts.routing.moveUp')}
            onClick={() => onMove(index - 1)}
          />
          <Button
            size="small"
            icon={<ArrowDownOutlined />}
            disabled={index === count - 1}
            aria-label={t('alerts.routing.moveDown')}
            onClick={() => onMove(index + 1)}
          />
          <Button
            size="small"
            danger
            icon={<DeleteOutlined />}
            aria-label={t('common.delete')}
            onClick={onRemove}
          />
        </Space>
      }
    >
      <Space wrap align="start" style={{ width: '100%' }}>
        <Form.Item
          name={[name, 'id']}
          label={t('alerts.routing.id')}
          style={{ marginBottom: 8 }}
          rules={[
            { required: true, message: t('validation.required') },
            { pattern: /^[a-z0-9][a-z0-9_-]{0,62}$/, message: t('alerts.routing.idInvalid') },
          ]}
        >
          <Input style={{ width: 160 }} className="steady-mono" />
        </Form.Item>
        <Form.Item
          name={[name, 'matchers']}
          label={t('alerts.routing.matchers')}
          style={{ marginBottom: 8, minWidth: 360 }}
          rules={[
            {
              validator: async (_, v: string) => {
                if (parseMatchers(v ?? '') === null) throw new Error(t('alerts.silences.matchersInvalid'));
              },
            },
          ]}
        >
          <Input
            className="steady-mono"
            placeholder='service="checkout", env=~"prod|staging"'
            aria-label={t('alerts.routing.matchersOf', { n: index + 1 })}
          />
        </Form.Item>
      </Space>
      <Space wrap align="start">
        {targetFields(t, [name], options, t('alerts.routing.inherit'))}
        <Form.Item name={[name, 'severity']} label={t('alerts.routing.severity')} style={{ marginBottom: 8 }}>
          <Select
            allowClear
            placeholder={t('alerts.routing.fromAlert')}
            style={{ width: 130 }}
            options={['P1', 'P2', 'P3'].map((s) => ({ value: s, label: s }))}
          />
        </Form.Item>
        <Form.Item name={[name, 'groupBy']} label={t('alerts.routing.groupBy')} style={{ marginBottom: 8 }}>
          <Select
            mode="tags"
            placeholder={t('alerts.routing.inherit')}
            style={{ width: 200 }}
            tokenSeparators={[',', ' ']}
          />
        </Form.Item>
        <Form.Item
          name={[name, 'continue']}
          label={t('alerts.routing.continue')}
          tooltip={t('alerts.routing.continueHelp')}
          valuePropName="checked"
          style={{ marginBottom: 8 }}
        >
          <Switch />
        </Form.Item>
      </Space>
    </Card>
  );
}
