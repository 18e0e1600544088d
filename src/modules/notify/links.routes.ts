import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../platform/audit/audit.repo.ts';
import { access } from '../../platform/auth/roles.ts';
import type { Api } from '../../platform/http/api.ts';
import type { ActionLinks, LinkCheck } from './links.ts';
import type { IncidentsPort } from './ports.ts';
import { localeOf, type NotifyLocale } from './templates.ts';

/**
 * The pages behind one-click links. GET only shows what the link will do, with a button; the POST from
 * that button acts. Mail scanners and link previews fetch with GET, so they never acknowledge anything.
 */
const TEXT = {
  en: {
    acknowledge: 'Acknowledge',
    resolve: 'Resolve',
    confirm: (a: string, n: string) => `${a} incident ${n}?`,
    confirmBody: 'This link works once. Press the button to confirm.',
    done: (a: string, n: string) => `Incident ${n}: ${a.toLowerCase()}d.`,
    already: (n: string) => `Incident ${n} was already in that state or further; nothing changed.`,
    forged: 'This link is not valid: it was not issued by Steady or has been altered. Nothing was changed.',
    expired: 'This link has expired. Nothing was changed. Open the incident in Steady instead.',
    used: 'This link has already been used. Nothing was changed.',
    gone: 'The incident no longer exists. Nothing was changed.',
    failed: 'The action could not be carried out. Nothing was changed.',
    open: 'Open the incident',
    title: 'Steady',
  },
  'zh-CN': {
    acknowledge: '认领',
    resolve: '解决',
    confirm: (a: string, n: string) => `确认${a}故障 ${n}?`,
    confirmBody: '此链接只能使用一次。请点击按钮确认。',
    done: (a: string, n: string) => `故障 ${n} 已${a}。`,
    already: (n: string) => `故障 ${n} 已处于该状态或之后的状态,未做任何更改。`,
    forged: '此链接无效:它不是 Steady 签发的,或已被篡改。未做任何更改。',
    expired: '此链接已过期,未做任何更改。请在 Steady 中打开故障处理。',
    used: '此链接已被使用过,未做任何更改。',
    gone: '该故障已不存在,未做任何更改。',
    failed: '操作未能完成,未做任何更改。',
    open: '打开故障',
    title: 'Steady',
  },
} as const;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(locale: NotifyLocale, heading: string, body: string, extra = ''): string {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(heading)} · Steady</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",Arial,sans-serif;max-width:560px;margin:64px auto;padding:0 16px;color:#1f1f1f}
h1{font-size:22px}button{font-size:16px;padding:8px 20px;border:0;border-radius:6px;background:#1677ff;color:#fff;cursor:pointer}
.muted{color:#8c8c8c}</style></head><body><h1>${esc(heading)}</h1><p>${esc(body)}</p>${extra}
<p class="muted">Steady</p></body></html>`;
}

export interface LinkRoutesDeps {
  links: ActionLinks;
  incidents: Pick<IncidentsPort, 'act'> | null;
  userLocale: (userId: string) => Promise<string | null>;
  userName: (userId: string) => Promise<string | null>;
  incidentLabel: (incidentId: string) => Promise<string>;
  baseUrl: string;
}

export function registerLinkRoutes(app: Api, deps: LinkRoutesDeps): void {
  const params = z.object({ token: z.string().max(500) });
  const cfg = { config: { access: access.public }, schema: { hide: true, params } };

  async function localeFor(req: FastifyRequest, check: LinkCheck): Promise<NotifyLocale> {
    if (check.status !== 'forged' && check.userId) {
      const l = await deps.userLocale(check.userId);
      if (l) return localeOf(l);
    }
    return /^zh/i.test(String(req.headers['accept-language'] ?? '')) ? 'zh-CN' : 'en';
  }
  const send = (reply: FastifyReply, status: number, html: string) =>
    reply
      .status(status)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .type('text/html; charset=utf-8')
      .send(html);
  const refused = (reply: FastifyReply, locale: NotifyLocale, status: 'forged' | 'expired' | 'used') =>
    send(reply, status === 'forged' ? 404 : 410, page(locale, TEXT[locale].title, TEXT[locale][status]));

  app.register(async (scope) => {
    // The confirm button posts an empty form; its body carries nothing we read.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, _body, done) => done(null, {}),
    );

    scope.get('/notify/a/:token', cfg, async (req, reply) => {
      const { token } = req.params as { token: string };
      const check = await deps.links.check(token);
      const locale = await localeFor(req, check);
      if (check.status !== 'ok') return refused(reply, locale, check.status);
      const t = TEXT[locale];
      const label = await deps.incidentLabel(check.incidentId);
      const action = t[check.action];
      const form = `<form method="post" action="/notify/a/${esc(token)}"><button type="submit" data-testid="confirm">${esc(action)}</button></form>`;
      return send(reply, 200, page(locale, t.confirm(action, label), t.confirmBody, form));
    });

    scope.post('/notify/a/:token', cfg, async (req, reply) => {
      const { token } = req.params as { token: string };
      const check = await deps.links.check(token);
      const locale = await localeFor(req, check);
      if (check.status !== 'ok') return refused(reply, locale, check.status);
      const t = TEXT[locale];
      if (!deps.incidents) return send(reply, 503, page(locale, t.title, t.failed));
      // First use wins; a second POST (a double click, a replayed request) finds the link used.
      if (!(await deps.links.consume(check.id))) return refused(reply, locale, 'used');
      const name = check.userId ? await deps.userName(check.userId) : null;
      const actor: Actor = {
        id: check.userId,
        name: name ?? 'one-click link',
        kind: check.userId ? 'user' : 'system',
        requestId: req.id,
        ip: req.ip,
      };
      const label = await deps.incidentLabel(check.incidentId);
      let result: 'done' | 'already' | 'gone';
      try {
        result = await deps.incidents.act(check.incidentId, check.action, actor);
      } catch (err) {
        req.log.error({ err }, 'one-click action failed');
        return send(reply, 500, page(locale, t.title, t.failed));
      }
      const open = `<p><a href="${esc(deps.baseUrl.replace(/\/+$/, ''))}/incidents/${esc(check.incidentId)}">${esc(t.open)}</a></p>`;
      if (result === 'gone') return send(reply, 410, page(locale, t.title, t.gone));
      if (result === 'already') return send(reply, 200, page(locale, t.title, t.already(label), open));
      return send(reply, 200, page(locale, t.done(t[check.action], label), '', open));
    });
  });
}
