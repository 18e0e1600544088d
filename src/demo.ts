import { createServices } from './app.ts';
import type { Config } from './config.ts';
import { systemActor } from './platform/audit/audit.repo.ts';
import { authRepo } from './platform/auth/auth.repo.ts';
import type { Clock } from './platform/clock.ts';
import type { Database } from './platform/db/database.ts';

const DEMO_PASSWORD = 'steady-demo';

/**
 * Demo content for a first look: the teams, people and services of a typical shop. Created through the
 * services (so it is audited like any change), and only on a database that has no teams yet.
 */
export async function seedDemo(database: Database, clock: Clock, config: Config): Promise<void> {
  const { db } = database;
  const actor = systemActor('demo');
  const { users, catalog } = createServices({ db, clock, config });
  if ((await catalog.listTeams()).length > 0) return;

  const people = [
    { username: 'lin.ops', displayName: '林運維 Lin (Ops lead)', role: 'manager', locale: 'zh-CN' },
    { username: 'wang.oncall', displayName: '王值班 Wang (SRE)', role: 'responder', locale: 'zh-CN' },
    { username: 'sara.sre', displayName: 'Sara Okafor (SRE)', role: 'responder', locale: 'en' },
    { username: 'chen.cs', displayName: '陳客服 Chen (Customer service)', role: 'agent', locale: 'zh-CN' },
    { username: 'guest', displayName: 'Guest viewer', role: 'viewer', locale: 'en' },
  ] as const;
  const created = new Map<string, string>();
  for (const p of people) {
    const existing = await authRepo.findUserByUsername(db, p.username);
    const user =
      existing ??
      (await users.create(actor, { ...p, email: `${p.username}@shop.example`, password: DEMO_PASSWORD }));
    created.set(p.username, user.id);
  }

  const sre = await catalog.createTeam(actor, {
    name: 'SRE 運維',
    description: 'Platform reliability and on-call',
  });
  const pay = await catalog.createTeam(actor, {
    name: 'Payments 支付',
    description: 'Checkout and payment gateway',
  });
  const shop = await catalog.createTeam(actor, {
    name: 'Storefront 前台',
    description: 'Web shop, search and cart',
  });
  await catalog.setMember(actor, sre.id, created.get('lin.ops')!, 'lead');
  await catalog.setMember(actor, sre.id, created.get('wang.oncall')!, 'member');
  await catalog.setMember(actor, sre.id, created.get('sara.sre')!, 'member');
  await catalog.setMember(actor, pay.id, created.get('sara.sre')!, 'lead');
  await catalog.setMember(actor, shop.id, created.get('wang.oncall')!, 'lead');

  const services: [string, string, string, 1 | 2 | 3, string[]][] = [
    ['storefront', 'Web storefront and mobile API gateway', shop.id, 1, ['web', 'customer-facing']],
    ['search', 'Product search', shop.id, 2, ['web']],
    ['cart', 'Shopping cart', shop.id, 1, ['checkout']],
    ['order', 'Order placement and history', pay.id, 1, ['checkout']],
    ['payment', 'Payment gateway integration (Alipay, WeChat Pay, cards)', pay.id, 1, ['checkout', 'pci']],
    ['inventory', 'Stock levels and reservations', pay.id, 2, ['checkout']],
    ['user', 'Accounts, login and profiles', sre.id, 2, ['identity']],
    ['recommendation', 'Personalised recommendations', shop.id, 3, ['web']],
    ['mysql-main', 'Primary MySQL cluster', sre.id, 1, ['database']],
    ['redis-cache', 'Redis cache cluster', sre.id, 2, ['cache']],
    ['mq', 'Message queue for order events', sre.id, 2, ['queue']],
  ];
  for (const [name, description, ownerTeamId, tier, tags] of services) {
    await catalog.createService(actor, {
      name,
      description,
      ownerTeamId,
      tier,
      tags,
      links: [{ title: 'Runbook', url: `https://wiki.shop.example/runbooks/${name}` }],
    });
  }
}
