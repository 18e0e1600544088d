import type { MessageContent } from './channels/types.ts';

/**
 * The words of every message, in the recipient's language (users.locale: zh-CN or en), and one renderer
 * per format: plain text, HTML, IM markdown and Slack mrkdwn, all from the same facts.
 */
export type NotifyLocale = 'en' | 'zh-CN';

export interface AlertFacts {
  name: string;
  summary: string | null;
  value: string | null;
  threshold: string | null;
  /** The expected band of an anomaly detector, e.g. "120–180". */
  expected: string | null;
  since: number;
  runbookUrl: string | null;
  kbUrl: string | null;
}

export interface NotificationSubject {
  incident: {
    id: string;
    number: number;
    title: string;
    severity: string;
    serviceName: string | null;
    createdAt: number;
  } | null;
  alerts: AlertFacts[];
  links: { incident: string | null; acknowledge: string | null; resolve: string | null };
  /** A "send test message" from the console. */
  test?: { channelName: string; by: string } | undefined;
  /** The follow-up to the people paged: the incident is resolved (no action links then). */
  resolved?: { at: number; by: string } | undefined;
}

const WORDS = {
  en: {
    severity: { P1: 'P1 urgent', P2: 'P2 important', P3: 'P3 general' } as Record<string, string>,
    incident: 'Incident',
    service: 'Service',
    fired: 'What fired',
    value: 'Value',
    threshold: 'threshold',
    expected: 'expected',
    since: 'Since',
    runbook: 'Runbook',
    kb: 'Knowledge base',
    open: 'Open incident',
    ack: 'Acknowledge',
    resolve: 'Resolve',
    resolvedPrefix: 'Resolved',
    resolvedAt: 'Resolved at',
    resolvedBy: 'Resolved by',
    lasted: 'Open for',
    testSubject: 'Steady test message',
    testBody: (ch: string, by: string) =>
      `This is a test message from Steady through channel "${ch}", sent by ${by}. If you can read it, the channel works.`,
    footer: 'Sent by Steady. The acknowledge and resolve links work once and expire.',
  },
  'zh-CN': {
    severity: { P1: 'P1 紧急', P2: 'P2 重要', P3: 'P3 一般' } as Record<string, string>,
    incident: '故障',
    service: '服务',
    fired: '触发告警',
    value: '当前值',
    threshold: '阈值',
    expected: '预期范围',
    since: '开始时间',
    runbook: '处置手册',
    kb: '知识库',
    open: '查看故障',
    ack: '认领',
    resolve: '解决',
    resolvedPrefix: '已解决',
    resolvedAt: '解决时间',
    resolvedBy: '解决人',
    lasted: '持续时长',
    testSubject: 'Steady 测试消息',
    testBody: (ch: string, by: string) =>
      `这是 Steady 通过通道「${ch}」发送的测试消息,由 ${by} 发起。能看到这条消息说明通道工作正常。`,
    footer: '由 Steady 发送。认领和解决链接只能使用一次,过期失效。',
  },
} as const;

export const localeOf = (value: string | null | undefined): NotifyLocale =>
  value === 'zh-CN' ? 'zh-CN' : 'en';

export function formatTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(ms);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

/** "1 h 5 min", "1 小时 5 分钟": how long an incident was open. */
function lasted(ms: number, locale: NotifyLocale): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (locale === 'zh-CN') return h ? `${h} 小时 ${m} 分钟` : `${m} 分钟`;
  return h ? `${h} h ${m} min` : `${m} min`;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

interface Line {
  label: string;
  value: string;
  href?: string | undefined;
}

/** Renders the message for one recipient. */
export function renderMessage(
  subject: NotificationSubject,
  locale: NotifyLocale,
  timeZone: string,
): MessageContent {
  const w = WORDS[locale];
  const { incident, links } = subject;
  const sep = locale === 'zh-CN' ? ':' : ': ';
  const sev = incident ? (w.severity[incident.severity] ?? incident.severity) : null;

  let title: string;
  let intro: string | null = null;
  const lines: Line[] = [];
  if (subject.test) {
    title = w.testSubject;
    intro = w.testBody(subject.test.channelName, subject.test.by);
  } else if (incident && subject.resolved) {
    title = `[${w.resolvedPrefix}] ${w.incident} #${incident.number} ${incident.title}`;
    if (incident.serviceName) lines.push({ label: w.service, value: incident.serviceName });
    lines.push({ label: w.resolvedAt, value: formatTime(subject.resolved.at, timeZone) });
    lines.push({ label: w.resolvedBy, value: subject.resolved.by });
    lines.push({ label: w.lasted, value: lasted(subject.resolved.at - incident.createdAt, locale) });
  } else if (incident) {
    title = `[${sev}] ${w.incident} #${incident.number} ${incident.title}`;
    if (incident.serviceName) lines.push({ label: w.service, value: incident.serviceName });
    for (const a of subject.alerts.slice(0, 5)) {
      lines.push({ label: w.fired, value: a.summary ? `${a.name} — ${a.summary}` : a.name });
      if (a.value !== null) {
        const against =
          a.threshold !== null
            ? ` (${w.threshold} ${a.threshold})`
            : a.expected !== null
              ? ` (${w.expected} ${a.expected})`
              : '';
        lines.push({ label: w.value, value: `${a.value}${against}` });
      }
      lines.push({ label: w.since, value: formatTime(a.since, timeZone) });
      if (a.runbookUrl) lines.push({ label: w.runbook, value: a.runbookUrl, href: a.runbookUrl });
      if (a.kbUrl) lines.push({ label: w.kb, value: a.kbUrl, href: a.kbUrl });
    }
    if (subject.alerts.length === 0)
      lines.push({ label: w.since, value: formatTime(incident.createdAt, timeZone) });
  } else {
    title = w.testSubject;
  }
  const actions: Line[] = [];
  if (links.acknowledge) actions.push({ label: w.ack, value: links.acknowledge, href: links.acknowledge });
  if (links.resolve) actions.push({ label: w.resolve, value: links.resolve, href: links.resolve });
  if (links.incident) actions.push({ label: w.open, value: links.incident, href: links.incident });

  const text = [
    title,
    '',
    ...(intro ? [intro, ''] : []),
    ...lines.map((l) => `${l.label}${sep}${l.value}`),
    ...(actions.length ? ['', ...actions.map((a) => `${a.label}${sep}${a.value}`)] : []),
    '',
    w.footer,
  ].join('\n');

  const mdLine = (l: Line) => `- **${l.label}**${sep}${l.href ? `[${l.value}](${l.href})` : l.value}`;
  const markdown = [
    `### ${title}`,
    ...(intro ? [intro] : []),
    ...lines.map(mdLine),
    ...(actions.length ? ['', actions.map((a) => `[${a.label}](${a.href})`).join(' | ')] : []),
  ].join('\n');

  const slackLine = (l: Line) => `*${l.label}*${sep}${l.href ? `<${l.href}|${l.value}>` : l.value}`;
  const slack = [...(intro ? [intro] : []), ...lines.map(slackLine)].join('\n') || title;

  const colour = subject.resolved
    ? '#389e0d'
    : incident?.severity === 'P1'
      ? '#cf1322'
      : incident?.severity === 'P2'
        ? '#d46b08'
        : '#1677ff';
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;color:#1f1f1f">
<h2 style="color:${colour};margin:0 0 12px">${escapeHtml(title)}</h2>
${intro ? `<p>${escapeHtml(intro)}</p>` : ''}
<table cellpadding="4" style="border-collapse:collapse">${lines
    .map(
      (l) =>
        `<tr><th align="left" style="color:#595959">${escapeHtml(l.label)}</th><td>${
          l.href ? `<a href="${escapeHtml(l.href)}">${escapeHtml(l.value)}</a>` : escapeHtml(l.value)
        }</td></tr>`,
    )
    .join('\n')}</table>
${
  actions.length
    ? `<p>${actions
        .map(
          (a) =>
            `<a href="${escapeHtml(a.href ?? '')}" style="display:inline-block;padding:6px 14px;margin-right:8px;background:${colour};color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(a.label)}</a>`,
        )
        .join('')}</p>`
    : ''
}
<p style="color:#8c8c8c;font-size:12px">${escapeHtml(w.footer)}</p>
</body></html>`;

  const first = subject.alerts[0];
  const short = subject.resolved
    ? `[Steady ${w.resolvedPrefix}] #${incident?.number} ${incident?.title}`
    : incident
      ? `[Steady ${sev}] #${incident.number} ${incident.title}${
          first?.value ? ` ${w.value}${sep}${first.value}${first.threshold ? `/${first.threshold}` : ''}` : ''
        }${links.incident ? ` ${links.incident}` : ''}`
      : `${title}${intro ? `${sep}${intro}` : ''}`;

  return {
    subject: title,
    short,
    text,
    html,
    markdown,
    slack,
    severity: incident?.severity ?? null,
    facts: {
      status: subject.resolved ? 'resolved' : subject.test ? 'test' : 'firing',
      incident: incident?.number ?? null,
      incidentId: incident?.id ?? null,
      title: incident?.title ?? title,
      service: incident?.serviceName ?? null,
      alert: first?.name ?? null,
      value: first?.value ?? null,
      threshold: first?.threshold ?? null,
      expected: first?.expected ?? null,
      since: first
        ? new Date(first.since).toISOString()
        : incident
          ? new Date(incident.createdAt).toISOString()
          : null,
      runbook: first?.runbookUrl ?? null,
      kb: first?.kbUrl ?? null,
      ackLabel: w.ack,
      resolveLabel: w.resolve,
      openLabel: w.open,
    },
    links,
  };
}
