import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../platform/errors.ts';
import { severityOf } from '../severity.ts';
import { parseAlertmanager, parseGrafana } from './alertmanager.ts';
import { genericMappingSchema, parseGeneric } from './generic.ts';
import { parseZabbix } from './zabbix.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../../test/alerts/fixtures/${name}`, import.meta.url), 'utf8'));

const problem = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    return (err as AppError).message;
  }
  throw new Error('expected a 400');
};

describe('webhook formats', () => {
  it('Alertmanager v4', () => {
    const [a, b] = parseAlertmanager(fixture('alertmanager-v4.json'));
    expect(a).toMatchObject({
      status: 'firing',
      labels: { alertname: 'HighLatency', instance: 'web-1:8080' },
      startsAt: Date.parse('2026-01-05T08:58:00Z'),
      endsAt: null, // Go's zero time means "no end"
      title: 'Checkout p99 latency above 2 s',
    });
    expect(b?.labels.instance).toBe('web-2:8080');
  });
  it('Grafana', () => {
    const [a] = parseGrafana(fixture('grafana.json'));
    expect(a).toMatchObject({ status: 'firing', title: 'Disk almost full', labels: { host: 'db-1' } });
  });
  it('Zabbix problem and recovery share the event id', () => {
    const p = fixture('zabbix-problem.json');
    const [problemAlert] = parseZabbix(p);
    const [resolved] = parseZabbix({ ...p, status: 'RESOLVED' });
    expect(problemAlert).toMatchObject({
      status: 'firing',
      severity: 'High',
      labels: { alertname: 'MySQL: Service is down', host: 'mysql-prod-1', service: 'orders-db' },
      startsAt: 1767603603000,
    });
    expect(resolved?.status).toBe('resolved');
    expect(resolved?.dedupeKey).toBe(problemAlert?.dedupeKey);
    expect(parseZabbix({ ...p, status: 0 })[0]?.status).toBe('resolved');
  });
  it('generic JSON with a field mapping', () => {
    const mapping = genericMappingSchema.parse({
      alertsPath: 'data.events',
      title: 'summary',
      status: 'state',
      resolvedValues: ['closed'],
      severity: 'level',
      labels: 'meta',
      dedupeKey: 'id',
    });
    const [a] = parseGeneric(fixture('generic.json'), mapping);
    expect(a).toMatchObject({
      status: 'firing',
      title: 'Payment gateway timeout rate 12%',
      severity: 'critical',
      dedupeKey: 'key:evt-77',
    });
    expect(a?.labels).toEqual({
      service: 'payments',
      region: 'cn-east',
      alertname: 'Payment gateway timeout rate 12%',
    });
    const closed = fixture('generic.json');
    closed.data.events[0].state = 'CLOSED';
    expect(parseGeneric(closed, mapping)[0]?.status).toBe('resolved');
  });
  it('bad payloads name the problem', () => {
    expect(problem(() => parseAlertmanager({}))).toMatch(/body\.alerts/);
    expect(problem(() => parseAlertmanager({ alerts: [{ status: 'burning', labels: { a: 'b' } }] }))).toMatch(
      /body\.alerts\.0\.status: must be "firing" or "resolved"/,
    );
    expect(
      problem(() =>
        parseAlertmanager({ alerts: [{ status: 'firing', labels: { a: 'b' }, startsAt: 'yesterday' }] }),
      ),
    ).toMatch(/body\.alerts\.0\.startsAt: must be an RFC 3339 time/);
    expect(
      problem(() => parseZabbix({ event_id: '{EVENT.ID}', status: 'PROBLEM', host: 'h', trigger_name: 't' })),
    ).toMatch(/event_id/);
    expect(
      problem(() => parseZabbix({ event_id: '1', status: 'MAYBE', host: 'h', trigger_name: 't' })),
    ).toMatch(/PROBLEM or RESOLVED/);
    const mapping = genericMappingSchema.parse({ alertsPath: 'data.events', title: 'summary' });
    expect(problem(() => parseGeneric({ data: {} }, mapping))).toMatch(/nothing at "data.events"/);
    expect(problem(() => parseGeneric({ data: { events: [{ x: 1 }] } }, mapping))).toMatch(
      /alert 0: no title at "summary"/,
    );
  });
});

describe('severity', () => {
  const policy = {
    defaultSeverity: 'P3' as const,
    severityLabel: 'severity',
    severityMap: { sev_a: 'P1' as const },
  };
  it('maps Alertmanager, Zabbix and custom words, with a default', () => {
    expect(severityOf(policy, undefined, { severity: 'critical' })).toBe('P1');
    expect(severityOf(policy, undefined, { severity: 'warning' })).toBe('P2');
    expect(severityOf(policy, undefined, { severity: 'info' })).toBe('P3');
    expect(severityOf(policy, 'Disaster', {})).toBe('P1');
    expect(severityOf(policy, 'Average', {})).toBe('P2');
    expect(severityOf(policy, undefined, { severity: 'SEV_A' })).toBe('P1');
    expect(severityOf({ ...policy, defaultSeverity: 'P2' }, undefined, {})).toBe('P2');
    expect(severityOf(policy, undefined, { severity: 'weird' })).toBe('P3');
  });
});
