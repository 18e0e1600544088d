import type { ChannelKind } from './api';

/** The form fields of each channel kind: settings are shown again, secrets only ever written. */
export interface FieldDef {
  key: string;
  part: 'settings' | 'secrets';
  type: 'text' | 'number' | 'bool' | 'password' | 'textarea' | 'json';
  required?: boolean;
  placeholder?: string;
}

export const KIND_FIELDS: Record<ChannelKind, FieldDef[]> = {
  email: [
    { key: 'host', part: 'settings', type: 'text', required: true, placeholder: 'smtp.shop.example' },
    { key: 'port', part: 'settings', type: 'number', placeholder: '587' },
    { key: 'secure', part: 'settings', type: 'bool' },
    {
      key: 'from',
      part: 'settings',
      type: 'text',
      required: true,
      placeholder: 'Steady <steady@shop.example>',
    },
    { key: 'username', part: 'settings', type: 'text' },
    { key: 'password', part: 'secrets', type: 'password' },
  ],
  webhook: [
    {
      key: 'url',
      part: 'settings',
      type: 'text',
      required: true,
      placeholder: 'https://hooks.shop.example/steady',
    },
    { key: 'signingSecret', part: 'secrets', type: 'password', required: true },
  ],
  dingtalk: [
    { key: 'baseUrl', part: 'settings', type: 'text', placeholder: 'https://oapi.dingtalk.com/robot/send' },
    { key: 'accessToken', part: 'secrets', type: 'password', required: true },
    { key: 'signSecret', part: 'secrets', type: 'password', placeholder: 'SEC…' },
  ],
  wecom: [
    {
      key: 'baseUrl',
      part: 'settings',
      type: 'text',
      placeholder: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
    },
    { key: 'key', part: 'secrets', type: 'password', required: true },
  ],
  feishu: [
    {
      key: 'baseUrl',
      part: 'settings',
      type: 'text',
      placeholder: 'https://open.feishu.cn/open-apis/bot/v2/hook',
    },
    { key: 'hookId', part: 'secrets', type: 'password', required: true },
    { key: 'signSecret', part: 'secrets', type: 'password' },
  ],
  slack: [{ key: 'webhookUrl', part: 'secrets', type: 'password', required: true }],
  sms: [
    { key: 'purpose', part: 'settings', type: 'text', placeholder: 'sms' },
    { key: 'method', part: 'settings', type: 'text', placeholder: 'POST' },
    { key: 'url', part: 'settings', type: 'text', required: true },
    {
      key: 'headers',
      part: 'settings',
      type: 'json',
      placeholder: '{"authorization": "Basic {{secret.basic}}"}',
    },
    { key: 'contentType', part: 'settings', type: 'text', placeholder: 'json | form | text' },
    { key: 'body', part: 'settings', type: 'textarea', placeholder: '{"to":"{{phone}}","text":"{{text}}"}' },
    { key: 'successBodyIncludes', part: 'settings', type: 'text' },
    { key: 'values', part: 'secrets', type: 'json', placeholder: '{"basic": "…"}' },
  ],
};
