/**
 * Events that are not samples: customer complaints, change records (deploys, config changes) and the batch
 * job's heartbeat calls. Data only; whoever runs the simulation decides where they go.
 */

import { gaussian, poisson, streamKey, unit } from './random.ts';
import type { ChangeRecord, ScenarioDef } from './scenarios.ts';
import { SERVICES } from './shop.ts';
import { cstClock } from './traffic.ts';

export const COMPLAINT_CHANNELS = ['app', 'hotline', 'wechat', 'weibo', 'email', 'online-chat'] as const;
export type ComplaintChannel = (typeof COMPLAINT_CHANNELS)[number];
const CHANNEL_WEIGHTS = [0.34, 0.2, 0.22, 0.08, 0.04, 0.12];

export interface Complaint {
  id: string;
  ts: number;
  channel: ComplaintChannel;
  /** The service the customer's trouble came from (as the simulation knows; a real customer would not). */
  service: string;
  scenario: string | null;
  faultId: string | null;
  /** The customer's words in both languages; `lang` is the one they wrote in. */
  text: { zh: string; en: string };
  lang: 'zh' | 'en';
  customer: string;
}

export interface HeartbeatEvent {
  ts: number;
  job: string;
}

export type SimEvent =
  | ({ type: 'complaint' } & Complaint)
  | ({ type: 'change' } & ChangeRecord)
  | ({ type: 'heartbeat' } & HeartbeatEvent);

const GENERIC = [{ zh: '網站出問題了，什麼都用不了', en: 'The site is broken, nothing works' }];

/**
 * Complaints arriving because of customer-visible breaches during one tick: about 0.6 a minute at normal
 * daytime traffic per breached objective (at most three), each reaching support 1–8 minutes after the
 * customer's trouble. Returned with their arrival times, possibly after this tick.
 */
export function complaintsForTick(opts: {
  seed: number;
  tick: number;
  t: number;
  dtMs: number;
  pageViews: number;
  breached: readonly string[];
  fault: { id: string; def: ScenarioDef } | undefined;
}): Complaint[] {
  const { seed, tick, t, dtMs, breached, fault } = opts;
  if (breached.length === 0) return [];
  const perMinute = 0.6 * (Math.max(opts.pageViews, 20) / 300) * Math.min(3, breached.length);
  const key = streamKey(seed, 'complaints');
  const n = poisson(key, tick, (perMinute * dtMs) / 60_000);
  const out: Complaint[] = [];
  for (let j = 0; j < n; j++) {
    const draw = tick * 16 + j;
    const u = (k: number) => unit(streamKey(seed, `complaint.${k}`), draw);
    let c = 0;
    let acc = CHANNEL_WEIGHTS[0]!;
    const pick = u(1);
    while (pick > acc && c < CHANNEL_WEIGHTS.length - 1) acc += CHANNEL_WEIGHTS[++c]!;
    const texts = fault?.def.complaints ?? GENERIC;
    const text = texts[Math.floor(u(2) * texts.length)]!;
    const delay =
      60_000 + Math.min(7, Math.abs(gaussian(streamKey(seed, 'complaint.delay'), draw)) * 2.5) * 60_000;
    const ts = Math.round(t + u(3) * dtMs + delay);
    const service = breached[Math.floor(u(4) * breached.length)]!.split(':')[0]!;
    out.push({
      id: `c-${tick}-${j}`,
      ts,
      channel: COMPLAINT_CHANNELS[c]!,
      service: service === 'payments' ? 'payment' : service === 'warehouse' ? 'order' : service,
      scenario: fault?.def.name ?? null,
      faultId: fault?.id ?? null,
      text,
      lang: u(5) < 0.85 ? 'zh' : 'en',
      customer: `u${Math.floor(u(6) * 9_000_000) + 1_000_000}`,
    });
  }
  return out;
}

const DAY = 86_400_000;
const APPS = SERVICES.filter((s) => s.kind === 'app').map((s) => s.name);
const AUTHORS = ['zhang.dev', 'liu.dev', 'sara.sre', 'chen.fe', 'ci-bot'];

/**
 * Ordinary weekday deploys (two per working day in the afternoon, CST) that change nothing measurable:
 * a change log where every entry caused a fault would make correlation look easier than it is.
 */
export function routineChanges(seed: number, from: number, to: number): ChangeRecord[] {
  const out: ChangeRecord[] = [];
  const key = streamKey(seed, 'changes');
  for (let day = Math.floor((from + 8 * 3_600_000) / DAY); day * DAY - 8 * 3_600_000 <= to; day++) {
    const midnight = day * DAY - 8 * 3_600_000;
    if (cstClock(midnight + 3_600_000).weekday >= 5) continue;
    for (let j = 0; j < 2; j++) {
      const ts = midnight + 14 * 3_600_000 + Math.floor(unit(key, day * 8 + j) * 4 * 3_600_000);
      if (ts <= from || ts > to) continue;
      const service = APPS[Math.floor(unit(key, day * 8 + j + 2) * APPS.length)]!;
      const minor = Math.floor(unit(key, day * 8 + j + 4) * 40);
      out.push({
        ts,
        service,
        kind: 'deploy',
        version: `3.${minor}.${day % 10}`,
        author: AUTHORS[Math.floor(unit(key, day * 8 + j + 6) * AUTHORS.length)]!,
        summary: `${service} routine release`,
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}
