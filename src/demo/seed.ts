/**
 * The shop's operational set-up, made through Steady's own API as the administrator (so every item is
 * validated and audited like a change made in the console): on-call schedule, escalation policies,
 * routing tree, the default rules, probes of the simulated storefront, the batch job's heartbeat,
 * a notification channel and an ingest token. The demo and the early-warning benchmark both call it.
 */
import type { ApiCall } from './api.ts';
import { DEFAULT_RULES } from './rules.ts';

export interface ShopSetup {
  ingestToken: string;
  /** Path of the batch job's heartbeat URL (POST). */
  heartbeatPath: string;
}

export interface SeedOptions {
  /** Base URL of the simulated storefront (probes); no probes without it. */
  shopUrl?: string;
  /** Where the notification webhook posts (the demo inbox); no channel without it. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Monday of the rotation's first week, YYYY-MM-DD. */
  rotationStart: string;
}

interface Named {
  id: string;
  name: string;
}

export const SHOP_PROBE_LABEL = { source: 'shop-demo' };

/** The storefront endpoints the demo probes: path, method, owning service. */
export const SHOP_PROBES = [
  { name: 'Shop home', path: '/', method: 'GET', service: 'storefront' },
  { name: 'Shop search', path: '/search?q=phone', method: 'GET', service: 'search' },
  { name: 'Shop cart', path: '/cart', method: 'GET', service: 'cart' },
  { name: 'Shop checkout', path: '/checkout', method: 'POST', service: 'order' },
  { name: 'Payment callback', path: '/payment/callback', method: 'POST', service: 'payment' },
] as const;

export async function seedShop(call: ApiCall, opts: SeedOptions): Promise<ShopSetup> {
  const users = (await call<{ items: { id: string; username: string }[] }>('GET', '/api/v1/users')).items;
  const teams = (await call<{ items: Named[] }>('GET', '/api/v1/teams')).items;
  const services = (await call<{ items: Named[] }>('GET', '/api/v1/services')).items;
  const user = (name: string) => {
    const u = users.find((x) => x.username === name);
    if (!u) throw new Error(`demo user ${name} is missing`);
    return u.id;
  };
  const team = (prefix: string) => teams.find((t) => t.name.startsWith(prefix))?.id ?? null;
  const service = (name: string) => services.find((s) => s.name === name)?.id ?? null;
  const sre = team('SRE');
  const pay = team('Payments');
  const shop = team('Storefront');

  const schedule = await call<Named>('POST', '/api/v1/schedules', {
    name: 'SRE primary',
    description: 'Weekly rotation, hand-off Monday 09:00 Beijing time',
    timeZone: 'Asia/Shanghai',
    teamId: sre,
    layers: [
      {
        name: 'Weekly',
        rotation: 'weekly',
        handoffTime: '09:00',
        handoffWeekday: 1,
        startDate: opts.rotationStart,
        participants: [user('wang.oncall'), user('sara.sre')],
      },
    ],
  });
  // The lead is paged well inside the 5-minute acknowledge commitment, so that someone can still meet it.
  const p1 = await call<Named>('POST', '/api/v1/escalation-policies', {
    name: 'P1 urgent 緊急',
    description: 'On-call now; the ops lead after 2 minutes; repeated twice',
    teamId: sre,
    steps: [
      { targets: [{ type: 'schedule', id: schedule.id }], waitMinutes: 2 },
      { targets: [{ type: 'user', id: user('lin.ops') }], waitMinutes: 5 },
    ],
    repeat: 2,
  });
  const p2 = await call<Named>('POST', '/api/v1/escalation-policies', {
    name: 'P2/P3 standard',
    description: 'On-call; the ops lead after 15 minutes',
    teamId: sre,
    steps: [
      { targets: [{ type: 'schedule', id: schedule.id }], waitMinutes: 15 },
      { targets: [{ type: 'user', id: user('lin.ops') }], waitMinutes: 30 },
    ],
    repeat: 0,
  });

  // service label → owning team; P1 alerts take the urgent policy, the rest the standard one.
  const owners: [string, string | null, string[]][] = [
    ['payments', pay, ['order', 'payment', 'inventory']],
    ['storefront', shop, ['storefront', 'search', 'cart', 'recommendation']],
    ['platform', sre, ['user', 'mysql-main', 'redis-cache', 'mq']],
  ];
  const bySeverity = (id: string) => [
    {
      id: `${id}-p1`,
      matchers: [{ name: 'severity', op: '=', value: 'P1' }],
      escalationPolicyId: p1.id,
    },
  ];
  await call('PUT', '/api/v1/alert-routing', {
    route: {
      id: 'default',
      groupBy: ['alertname', 'service'],
      groupWaitSeconds: 10,
      groupIntervalSeconds: 300,
      teamId: sre,
      escalationPolicyId: p2.id,
      routes: [
        ...owners.map(([id, teamId, names]) => ({
          id,
          matchers: [{ name: 'service', op: '=~', value: names.join('|') }],
          teamId,
          escalationPolicyId: p2.id,
          routes: bySeverity(id),
        })),
        { id: 'other-p1', matchers: [{ name: 'severity', op: '=', value: 'P1' }], escalationPolicyId: p1.id },
      ],
    },
    inhibitRules: [],
  });

  for (const rule of DEFAULT_RULES) await call('POST', '/api/v1/rules', rule);

  if (opts.shopUrl) {
    for (const p of SHOP_PROBES) {
      await call('POST', '/api/v1/probes', {
        name: p.name,
        kind: 'http',
        serviceId: service(p.service),
        intervalSeconds: 15,
        timeoutMs: 5000,
        retries: 1,
        labels: SHOP_PROBE_LABEL,
        http: {
          url: `${opts.shopUrl}${p.path}`,
          method: p.method,
          expectStatus: ['2xx'],
          downAboveMs: 4000,
        },
      });
    }
  }
  const heartbeat = await call<{ heartbeatPath: string }>('POST', '/api/v1/probes', {
    name: 'Order reconciliation job',
    kind: 'heartbeat',
    serviceId: service('order'),
    intervalSeconds: 60,
    retries: 0,
    heartbeat: { periodSeconds: 600, graceSeconds: 900 },
  });

  if (opts.webhookUrl) {
    const channel = await call<Named>('POST', '/api/v1/notify/channels', {
      name: 'Demo inbox (webhook)',
      kind: 'webhook',
      settings: { url: opts.webhookUrl },
      secrets: { signingSecret: opts.webhookSecret },
    });
    const rules = (['P1', 'P2', 'P3'] as const).map((severity) => ({
      severity,
      channelId: channel.id,
      delayMinutes: 0,
    }));
    for (const id of [sre, pay, shop])
      if (id) await call('PUT', `/api/v1/notify/teams/${id}/rules`, { rules });
  }

  const { secret } = await call<{ secret: string }>('POST', '/api/v1/tokens', {
    name: 'Shop simulator (ingest)',
    scopes: ['ingest'],
  });
  return { ingestToken: secret, heartbeatPath: heartbeat.heartbeatPath };
}
