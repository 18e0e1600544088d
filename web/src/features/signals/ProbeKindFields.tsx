import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Col, Collapse, Flex, Form, Input, InputNumber, Row, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ProbeFormValues } from './probeForm';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const JSON_OPS = ['==', '!=', '<', '<=', '>', '>=', 'contains', 'matches', 'exists', 'absent'];
const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'];

/** Key/value rows (headers, labels) edited as a list. */
export function PairList({
  name,
  keyLabel,
  addLabel,
}: {
  name: (string | number)[];
  keyLabel: string;
  addLabel: string;
}) {
  const { t } = useTranslation();
  return (
    <Form.List name={name}>
      {(fields, { add, remove }) => (
        <>
          {fields.map((f) => (
            <Flex key={f.key} gap={8} align="baseline">
              <Form.Item
                name={[f.name, 'key']}
                rules={[{ required: true, message: t('signals.form.required') }]}
                style={{ flex: 1 }}
              >
                <Input placeholder={keyLabel} className="steady-mono" />
              </Form.Item>
              <Form.Item name={[f.name, 'value']} style={{ flex: 2 }}>
                <Input placeholder={t('signals.form.value')} />
              </Form.Item>
              <Button
                type="text"
                icon={<DeleteOutlined />}
                onClick={() => remove(f.name)}
                aria-label={t('common.remove')}
              />
            </Flex>
          ))}
          <Button
            type="dashed"
            size="small"
            icon={<PlusOutlined />}
            onClick={() => add({ key: '', value: '' })}
            style={{ marginBottom: 16 }}
          >
            {addLabel}
          </Button>
        </>
      )}
    </Form.List>
  );
}

const ms = (t: (k: 'signals.form.ms') => string) => ({
  addonAfter: t('signals.form.ms'),
  style: { width: '100%' },
});

export function HttpFields() {
  const { t } = useTranslation();
  return (
    <>
      <Row gutter={12}>
        <Col span={5}>
          <Form.Item name={['http', 'method']} label={t('signals.form.method')}>
            <Select options={METHODS.map((m) => ({ value: m, label: m }))} />
          </Form.Item>
        </Col>
        <Col span={19}>
          <Form.Item
            name={['http', 'url']}
            label={t('signals.form.url')}
            rules={[{ required: true, message: t('signals.form.required') }]}
          >
            <Input
              placeholder="https://shop.example.com/health"
              className="steady-mono"
              data-testid="probe-url"
            />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item
        name={['http', 'expectStatus']}
        label={t('signals.form.expectStatus')}
        tooltip={t('signals.form.expectStatusHelp')}
      >
        <Select mode="tags" tokenSeparators={[',', ' ']} />
      </Form.Item>
      <Collapse
        size="small"
        style={{ marginBottom: 16 }}
        items={[
          {
            key: 'request',
            label: t('signals.form.requestSection'),
            children: (
              <>
                <Form.Item label={t('signals.form.headers')} style={{ marginBottom: 0 }}>
                  <PairList
                    name={['http', 'headers']}
                    keyLabel={t('signals.form.headerName')}
                    addLabel={t('signals.form.addHeader')}
                  />
                </Form.Item>
                <Form.Item name={['http', 'body']} label={t('signals.form.body')}>
                  <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} className="steady-mono" />
                </Form.Item>
                <Flex gap={24}>
                  <Form.Item
                    name={['http', 'followRedirects']}
                    label={t('signals.form.followRedirects')}
                    valuePropName="checked"
                  >
                    <Switch />
                  </Form.Item>
                  <Form.Item
                    name={['http', 'tlsVerify']}
                    label={t('signals.form.tlsVerify')}
                    valuePropName="checked"
                  >
                    <Switch />
                  </Form.Item>
                  <Form.Item name={['http', 'tlsWarningDays']} label={t('signals.form.tlsWarningDays')}>
                    <InputNumber min={0} max={365} />
                  </Form.Item>
                </Flex>
              </>
            ),
          },
          {
            key: 'assert',
            label: t('signals.form.assertSection'),
            children: (
              <>
                <Row gutter={12}>
                  {(['bodyContains', 'bodyNotContains', 'bodyMatches', 'bodyNotMatches'] as const).map(
                    (k) => (
                      <Col span={12} key={k}>
                        <Form.Item name={['http', k]} label={t(`signals.form.${k}`)}>
                          <Input className="steady-mono" />
                        </Form.Item>
                      </Col>
                    ),
                  )}
                </Row>
                <Form.Item
                  label={t('signals.form.json')}
                  tooltip={t('signals.form.jsonHelp')}
                  style={{ marginBottom: 0 }}
                >
                  <Form.List name={['http', 'json']}>
                    {(fields, { add, remove }) => (
                      <>
                        {fields.map((f) => (
                          <Flex key={f.key} gap={8} align="baseline">
                            <Form.Item
                              name={[f.name, 'path']}
                              rules={[{ required: true, message: t('signals.form.required') }]}
                              style={{ flex: 2 }}
                            >
                              <Input placeholder="$.status" className="steady-mono" />
                            </Form.Item>
                            <Form.Item name={[f.name, 'op']} style={{ width: 110 }}>
                              <Select options={JSON_OPS.map((o) => ({ value: o, label: o }))} />
                            </Form.Item>
                            <Form.Item name={[f.name, 'value']} style={{ flex: 2 }}>
                              <Input placeholder='"ok"' className="steady-mono" />
                            </Form.Item>
                            <Button
                              type="text"
                              icon={<DeleteOutlined />}
                              onClick={() => remove(f.name)}
                              aria-label={t('common.remove')}
                            />
                          </Flex>
                        ))}
                        <Button
                          type="dashed"
                          size="small"
                          icon={<PlusOutlined />}
                          onClick={() => add({ path: '', op: '==' })}
                          style={{ marginBottom: 16 }}
                        >
                          {t('signals.form.addAssertion')}
                        </Button>
                      </>
                    )}
                  </Form.List>
                </Form.Item>
                <Row gutter={12}>
                  <Col span={12}>
                    <Form.Item name={['http', 'degradedAboveMs']} label={t('signals.form.degradedAboveMs')}>
                      <InputNumber min={1} {...ms(t)} />
                    </Form.Item>
                  </Col>
                  <Col span={12}>
                    <Form.Item name={['http', 'downAboveMs']} label={t('signals.form.downAboveMs')}>
                      <InputNumber min={1} {...ms(t)} />
                    </Form.Item>
                  </Col>
                </Row>
              </>
            ),
          },
        ]}
      />
    </>
  );
}

export function TcpFields() {
  const { t } = useTranslation();
  return (
    <>
      <Row gutter={12}>
        <Col span={16}>
          <Form.Item
            name={['tcp', 'host']}
            label={t('signals.form.host')}
            rules={[{ required: true, message: t('signals.form.required') }]}
          >
            <Input className="steady-mono" placeholder="db.internal" />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item
            name={['tcp', 'port']}
            label={t('signals.form.port')}
            rules={[{ required: true, message: t('signals.form.required') }]}
          >
            <InputNumber min={1} max={65535} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
      </Row>
      <Flex gap={24} wrap>
        <Form.Item name={['tcp', 'tls']} label={t('signals.form.tls')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name={['tcp', 'tlsVerify']} label={t('signals.form.tlsVerify')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name={['tcp', 'tlsWarningDays']} label={t('signals.form.tlsWarningDays')}>
          <InputNumber min={0} max={365} />
        </Form.Item>
        <Form.Item name={['tcp', 'degradedAboveMs']} label={t('signals.form.degradedAboveMs')}>
          <InputNumber min={1} {...ms(t)} />
        </Form.Item>
      </Flex>
    </>
  );
}

export function DnsFields() {
  const { t } = useTranslation();
  return (
    <Row gutter={12}>
      <Col span={16}>
        <Form.Item
          name={['dns', 'name']}
          label={t('signals.form.dnsName')}
          rules={[{ required: true, message: t('signals.form.required') }]}
        >
          <Input className="steady-mono" placeholder="shop.example.com" />
        </Form.Item>
      </Col>
      <Col span={8}>
        <Form.Item name={['dns', 'recordType']} label={t('signals.form.recordType')}>
          <Select options={RECORD_TYPES.map((r) => ({ value: r, label: r }))} />
        </Form.Item>
      </Col>
      <Col span={12}>
        <Form.Item
          name={['dns', 'server']}
          label={t('signals.form.dnsServer')}
          tooltip={t('signals.form.dnsServerHelp')}
        >
          <Input className="steady-mono" placeholder="1.1.1.1:53" />
        </Form.Item>
      </Col>
      <Col span={12}>
        <Form.Item name={['dns', 'expect']} label={t('signals.form.dnsExpect')}>
          <Input className="steady-mono" placeholder="203.0.113.10" />
        </Form.Item>
      </Col>
      <Col span={12}>
        <Form.Item name={['dns', 'degradedAboveMs']} label={t('signals.form.degradedAboveMs')}>
          <InputNumber min={1} {...ms(t)} />
        </Form.Item>
      </Col>
    </Row>
  );
}

export function HeartbeatFields() {
  const { t } = useTranslation();
  return (
    <Row gutter={12}>
      <Col span={12}>
        <Form.Item
          name={['heartbeat', 'periodMinutes']}
          label={t('signals.form.periodMinutes')}
          tooltip={t('signals.form.periodHelp')}
          rules={[{ required: true, message: t('signals.form.required') }]}
        >
          <InputNumber
            min={1}
            max={44_640}
            addonAfter={t('signals.form.minutes')}
            style={{ width: '100%' }}
          />
        </Form.Item>
      </Col>
      <Col span={12}>
        <Form.Item name={['heartbeat', 'graceMinutes']} label={t('signals.form.graceMinutes')}>
          <InputNumber
            min={0}
            max={10_080}
            addonAfter={t('signals.form.minutes')}
            style={{ width: '100%' }}
          />
        </Form.Item>
      </Col>
    </Row>
  );
}

export type { ProbeFormValues };
