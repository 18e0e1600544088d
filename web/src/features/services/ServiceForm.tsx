import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Drawer, Flex, Form, Input, Radio, Select, Space } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useShowError } from '../../app/errors';
import type { CreateServiceInput, Service } from '../../app/types';
import { useTeams } from '../teams/api';
import { useSaveService } from './api';
import { isTier, TIER_KEYS, TIERS } from './TierTag';

interface Values {
  name: string;
  description: string;
  ownerTeamId: string | null;
  tier: number;
  tags: string[];
  links: { title: string; url: string }[];
}

// Mirrors src/modules/catalog/catalog.schemas.ts (the server checks again).
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HTTP_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i;

interface ServiceFormProps {
  /** null: closed; 'new': create; a service: edit it. */
  target: Service | 'new' | null;
  onClose(): void;
}

export function ServiceForm({ target, onClose }: ServiceFormProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const teams = useTeams();
  const save = useSaveService();
  const showError = useShowError();
  const editing = target && target !== 'new' ? target : null;
  const tier = Form.useWatch('tier', form);

  useEffect(() => {
    if (!target) return;
    form.resetFields();
    form.setFieldsValue(
      editing
        ? { ...editing, links: editing.links }
        : { name: '', description: '', ownerTeamId: null, tier: 2, tags: [], links: [] },
    );
  }, [target, editing, form]);

  const submit = async (values: Values) => {
    const input: CreateServiceInput = {
      ...values,
      description: values.description ?? '',
      ownerTeamId: values.ownerTeamId ?? null,
      tags: (values.tags ?? []).map((tag) => tag.trim()).filter(Boolean),
      links: values.links ?? [],
    };
    try {
      await save.mutateAsync({ id: editing?.id, input });
      void message.success(
        editing ? t('services.updated', { name: input.name }) : t('services.created', { name: input.name }),
      );
      onClose();
    } catch (err) {
      showError(err, { form, conflictField: 'name' });
    }
  };

  return (
    <Drawer
      open={!!target}
      onClose={onClose}
      title={editing ? t('services.editTitle', { name: editing.name }) : t('services.createTitle')}
      size={560}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button
            type="primary"
            loading={save.isPending}
            onClick={() => form.submit()}
            data-testid="service-save"
          >
            {editing ? t('common.save') : t('common.create')}
          </Button>
        </Space>
      }
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} data-testid="service-form">
        <Form.Item
          name="name"
          label={t('services.name')}
          extra={t('services.nameHelp')}
          rules={[
            { required: true, message: t('validation.required') },
            { pattern: NAME, message: t('services.nameInvalid') },
          ]}
        >
          <Input className="steady-mono" placeholder="payment-gateway" maxLength={63} autoFocus />
        </Form.Item>
        <Form.Item name="description" label={t('services.description')} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Flex gap={16}>
          <Form.Item name="ownerTeamId" label={t('services.owner')} style={{ flex: 1 }}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              loading={teams.isPending}
              placeholder={t('services.noOwner')}
              options={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
              data-testid="service-owner"
            />
          </Form.Item>
          <Form.Item
            name="tier"
            label={t('services.tier')}
            rules={[{ required: true }]}
            extra={isTier(tier) ? t(TIER_KEYS[tier]) : undefined}
            style={{ width: 210 }}
          >
            <Radio.Group
              optionType="button"
              options={TIERS.map((tier) => ({ value: tier, label: `T${tier}`, title: t(TIER_KEYS[tier]) }))}
            />
          </Form.Item>
        </Flex>
        <Form.Item
          name="tags"
          label={t('services.tags')}
          extra={t('services.tagsHelp')}
          rules={[
            { type: 'array', max: 20, message: t('services.tagsTooMany') },
            {
              validator: (_, tags: string[] | undefined) =>
                (tags ?? []).every((tag) => tag.trim().length > 0 && tag.trim().length <= 50)
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('services.tagInvalid'))),
            },
          ]}
        >
          <Select mode="tags" tokenSeparators={[',', ' ']} open={false} suffixIcon={null} />
        </Form.Item>
        <Form.Item label={t('services.links')} extra={t('services.linksHelp')}>
          <Form.List name="links">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Flex key={field.key} gap={8} align="baseline">
                    <Form.Item
                      name={[field.name, 'title']}
                      rules={[
                        { required: true, whitespace: true, message: t('validation.required') },
                        { max: 100 },
                      ]}
                      style={{ width: 160 }}
                    >
                      <Input placeholder={t('services.linkTitle')} />
                    </Form.Item>
                    <Form.Item
                      name={[field.name, 'url']}
                      rules={[
                        { required: true, message: t('validation.required') },
                        { pattern: HTTP_URL, message: t('services.linkUrlInvalid') },
                      ]}
                      style={{ flex: 1 }}
                    >
                      <Input placeholder="https://wiki.example.com/runbooks/…" />
                    </Form.Item>
                    <Button
                      type="text"
                      icon={<MinusCircleOutlined />}
                      aria-label={t('common.remove')}
                      onClick={() => remove(field.name)}
                    />
                  </Flex>
                ))}
                {fields.length < 20 && (
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ title: '', url: '' })}>
                    {t('services.addLink')}
                  </Button>
                )}
              </>
            )}
          </Form.List>
        </Form.Item>
      </Form>
    </Drawer>
  );
}
