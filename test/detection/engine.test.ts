import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/platform/clock.ts';
import type { Engine } from '../../src/platform/db/engine.ts';
import { createTestDatabase, describeEachEngine, type TestDatabase } from '../helpers/engines.ts';
import { type Proc, type Store, startProc } from './harness.ts';
import { memoryStore } from './memory-store.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const cpuRule = (spec: Record<string, unknown> = {}) => ({
  name: 'cpu high',
  kind: 'threshold',
  severity: 'P2',
  labels: { team: 'ops' },
  summary: '{{ $labels.host }} cpu {{ $value }} > {{ $threshold }}',
  runbookUrl: 'https://runbooks.example/cpu',
  spec: { query: 'cpu{env="prod"}', op: '>', value: 90, recovery: 80, forSeconds: 300, ...spec },
});

describeEachEngine('rule engine', (engine: Engine) => {
  let testDb: TestDatabase;
  let clock: FakeClock;
  let store: Store;
  let proc: Proc;

  beforeEach(async () => {
    testDb = await createTestDatabase(engine);
    clock = new FakeClock(T0);
    store = memoryStore();
    proc = await startProc(testDb, clock, store);
  });
  afterEach(async () => {
    await proc.stop();
    await testDb.drop();
  });

  const cpu = (ts: number, value: number, host = 'a') => proc.push('cpu', { env: 'prod', host }, ts, value);

  it('waits `for` before firing, then resolves only below the recovery threshold', async () => {
    await proc.create(cpuRule());
    await cpu(T0, 95);
    await cpu(T0 + 2 * MIN, 96);
    expect(proc.received).toEqual([]);
    await cpu(T0 + 5 * MIN, 97);
    expect(proc.received).toHaveLength(1);
    const [firing] = proc.received;
    expect(firing).toMatchObject({
      status: 'firing',
      labels: { alertname: 'cpu high', severity: 'P2', host: 'a', env: 'prod', team: 'ops' },
      annotations: {
        summary: 'a cpu 97 > 90',
        value: '97',
        threshold: '90',
        runbook_url: 'https://runbooks.example/cpu',
      },
      startsAt: T0 + 5 * MIN,
    });
    expect(firing?.labels.__name__).toBeUndefined();
    await cpu(T0 + 6 * MIN, 85); // below the threshold, above recovery: still firing
    expect(proc.received).toHaveLength(1);
    await cpu(T0 + 7 * MIN, 79);
    expect(proc.received).toHaveLength(2);
    expect(proc.received[1]).toMatchObject({
      status: 'resolved',
      startsAt: T0 + 5 * MIN,
      endsAt: T0 + 7 * MIN,
    });
  });

  it('does not alert when the condition clears before `for` ends, and ignores other series', async () => {
    await proc.create(cpuRule());
    await cpu(T0, 95);
    await cpu(T0 + MIN, 50);
    await proc.push('cpu', { env: 'dev', host: 'a' }, T0 + MIN, 99);
    await proc.push('mem', { env: 'prod' }, T0 + MIN, 99);
    await proc.advance(10 * MIN);
    expect(proc.received).toEqual([]);
  });

  it('fires when `for` runs out with no new sample (durable job)', async () => {
    await proc.create(cpuRule());
    clock.set(T0);
    await cpu(T0, 95);
    await proc.advance(4 * MIN);
    expect(proc.received).toEqual([]);
    await proc.advance(MIN);
    expect(proc.received).toHaveLength(1);
    expect(proc.received[0]).toMatchObject({ status: 'firing' });
  });

  it('no data: alerts after N minutes without samples, and resolves when data returns', async () => {
    await proc.create(cpuRule({ forSeconds: 0, noData: { afterSeconds: 600, state: 'alert' } }));
    await cpu(T0, 10);
    await proc.advance(5 * MIN);
    expect(proc.received).toEqual([]);
    await proc.advance(6 * MIN);
    expect(proc.received).toHaveLength(1);
    expect(proc.received[0]).toMatchObject({ status: 'firing', annotations: { threshold: 'no data' } });
    await cpu(clock.now(), 10);
    expect(proc.received[1]).toMatchObject({ status: 'resolved' });
  });

  it('no data: "ok" resolves a firing alert whose series went silent; "keep" leaves it', async () => {
    await proc.create(cpuRule({ forSeconds: 0, noData: { afterSeconds: 600, state: 'ok' } }));
    await proc.create({
      ...cpuRule({ forSeconds: 0, noData: { afterSeconds: 600, state: 'keep' } }),
      name: 'cpu keep',
    });
    await cpu(T0, 99);
    expect(proc.received.map((a) => a.status)).toEqual(['firing', 'firing']);
    await proc.advance(11 * MIN);
    expect(proc.received.slice(2)).toHaveLength(1);
    expect(proc.received[2]).toMatchObject({ status: 'resolved', labels: { alertname: 'cpu high' } });
  });

  it('no data, by default: a firing series absent from the result for 5 minutes resolves', async () => {
    // The `and` gate drops the series when traffic falls away: its alert must not stay firing for good.
    await proc.create(cpuRule({ forSeconds: 0 }));
    await cpu(T0, 99);
    expect(proc.received.map((a) => a.status)).toEqual(['firing']);
    await proc.advance(4 * MIN);
    expect(proc.received).toHaveLength(1);
    await proc.advance(2 * MIN);
    expect(proc.received[1]).toMatchObject({ status: 'resolved', labels: { alertname: 'cpu high' } });
  });

  it('survives a restart in the middle of `for` and while firing', async () => {
    await proc.create(cpuRule());
    await proc.create({ ...cpuRule({ forSeconds: 0 }), name: 'cpu now' });
    await cpu(T0, 95);
    expect(proc.received.map((a) => a.labels.alertname)).toEqual(['cpu now']);
    // Crash: a new process on the same database.
    await proc.stop();
    proc = await startProc(testDb, clock, store);
    // The firing alert is sent again (the alerts stage dedupes it), the pending one is still pending.
    expect(proc.received).toHaveLength(1);
    expect(proc.received[0]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'cpu now' },
      startsAt: T0,
    });
    await cpu(T0 + 5 * MIN, 95);
    expect(proc.received[1]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'cpu high' },
      startsAt: T0 + 5 * MIN,
    });
    await cpu(T0 + 6 * MIN, 10);
    expect(proc.received.slice(2).map((a) => [a.labels.alertname, a.status, a.startsAt])).toEqual([
      ['cpu high', 'resolved', T0 + 5 * MIN],
      ['cpu now', 'resolved', T0],
    ]);
    const firings = await proc.database.db
      .selectFrom('ruleFirings')
      .selectAll()
      .orderBy('startedAt')
      .execute();
    expect(firings.map((f) => [f.startedAt, f.endedAt])).toEqual([
      [T0, T0 + 6 * MIN],
      [T0 + 5 * MIN, T0 + 6 * MIN],
    ]);
  });

  it('evaluates a `for` expiry scheduled before a restart', async () => {
    await proc.create(cpuRule());
    await cpu(T0, 95);
    await proc.stop();
    proc = await startProc(testDb, clock, store);
    await proc.advance(5 * MIN);
    expect(proc.received).toHaveLength(1);
  });

  it('rate of change: fires on a rise of more than N% over the window', async () => {
    await proc.create({
      name: 'orders jump',
      kind: 'rate_of_change',
      spec: { query: 'orders', windowSeconds: 600, mode: 'percent', direction: 'up', value: 50 },
    });
    for (let i = 0; i <= 10; i++) await proc.push('orders', {}, T0 + i * MIN, 100);
    expect(proc.received).toEqual([]);
    await proc.push('orders', {}, T0 + 11 * MIN, 170);
    expect(proc.received[0]).toMatchObject({ status: 'firing', annotations: { value: '70' } });
  });

  it('burn rate: pages on the fast window pair, resolves when the short window recovers', async () => {
    await proc.create({
      name: 'checkout slo',
      kind: 'burn_rate',
      spec: {
        source: { type: 'counters', total: 'http_requests_total', bad: 'http_errors_total' },
        objective: 99.9,
      },
    });
    let total = 0;
    let bad = 0;
    // 1000 requests a minute; 2% errors is a burn rate of 20 (> 14.4 and > 6).
    for (let m = 0; m <= 65; m++) {
      total += 1000;
      bad += 20;
      await proc.push('http_requests_total', {}, T0 + m * MIN, total);
      await proc.push('http_errors_total', {}, T0 + m * MIN, bad);
    }
    const firing = proc.received.filter((a) => a.status === 'firing');
    // The 3-day window holds only this hour, whose burn (20) is above 1: a ticket too.
    expect(firing.map((a) => [a.labels.slo_window, a.labels.severity])).toEqual([
      ['1h/5m', 'P1'],
      ['6h/30m', 'P2'],
      ['3d/6h', 'P3'],
    ]);
    expect(firing[0]?.annotations).toMatchObject({ value: '20', threshold: '14.4x' });
    // Errors stop: the 5-minute window clears first, and with it the page.
    for (let m = 66; m <= 75; m++) {
      total += 1000;
      await proc.push('http_requests_total', {}, T0 + m * MIN, total);
      await proc.push('http_errors_total', {}, T0 + m * MIN, bad);
    }
    const resolved = proc.received.filter((a) => a.status === 'resolved');
    expect(resolved.map((a) => a.labels.slo_window)).toEqual(['1h/5m']);
    expect(proc.received.filter((a) => a.status === 'firing')).toHaveLength(3);
  });

  it('probe down: fires after N failed results in a row', async () => {
    await proc.create({ name: 'shop down', kind: 'probe_down', severity: 'P1', spec: { consecutive: 3 } });
    const probe = (i: number, v: number) => proc.push('probe_success', { probe: 'shop' }, T0 + i * MIN, v);
    await probe(0, 0);
    await probe(1, 0);
    await probe(2, 1);
    await probe(3, 0);
    await probe(4, 0);
    expect(proc.received).toEqual([]);
    await probe(5, 0);
    expect(proc.received[0]).toMatchObject({ status: 'firing', labels: { probe: 'shop', severity: 'P1' } });
    await probe(6, 1);
    expect(proc.received[1]).toMatchObject({ status: 'resolved' });
  });

  it('resolves what a rule raised when it is disabled or deleted', async () => {
    const id = await proc.create(cpuRule({ forSeconds: 0 }));
    await cpu(T0, 99);
    await proc.rules.remove({ id: null, name: 't', kind: 'system' }, id);
    expect(proc.received.map((a) => a.status)).toEqual(['firing', 'resolved']);
  });
});

describe('anomaly rules', () => {
  let testDb: TestDatabase;
  let proc: Proc;
  afterEach(async () => {
    await proc.stop();
    await testDb.drop();
  });

  it('stay silent while the detector warms up, warm from stored history after a restart, then fire on a spike', async () => {
    testDb = await createTestDatabase('sqlite');
    const start = Date.UTC(2026, 0, 5);
    const clock = new FakeClock(start);
    const store = memoryStore();
    proc = await startProc(testDb, clock, store);
    await proc.create({ name: 'traffic odd', kind: 'anomaly', spec: { query: 'rps{service="shop"}' } });
    const STEP = 5 * MIN;
    const value = (t: number) =>
      100 + 40 * Math.sin((2 * Math.PI * (t % 86_400_000)) / 86_400_000) + ((t / STEP) % 7) - 3;
    // First day, with a spike that a cold detector would call a record: no alert while learning.
    for (let t = start; t < start + 86_400_000; t += STEP) {
      await proc.push('rps', { service: 'shop' }, t, t === start + 6 * 3_600_000 ? 400 : value(t));
    }
    expect(proc.received).toEqual([]);
    // Restart: the new process replays stored history into a fresh detector.
    await proc.stop();
    proc = await startProc(testDb, clock, store);
    // Three more normal days, with the rows going to the store only (no evaluation) except the last hour.
    const batchEnd = start + 4 * 86_400_000;
    for (let t = start + 86_400_000; t < batchEnd - 3_600_000; t += STEP)
      store.append([{ labels: { __name__: 'rps', service: 'shop' }, points: [{ ts: t, value: value(t) }] }]);
    for (let t = batchEnd - 3_600_000; t < batchEnd; t += STEP)
      await proc.push('rps', { service: 'shop' }, t, value(t));
    expect(proc.received).toEqual([]);
    await proc.push('rps', { service: 'shop' }, batchEnd, 600);
    expect(proc.received[0]).toMatchObject({
      status: 'firing',
      labels: { alertname: 'traffic odd', service: 'shop' },
    });
    expect(proc.received[0]?.annotations.expected_band).toMatch(/–/);
  });
});
