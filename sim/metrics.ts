/**
 * World state → Prometheus series, with the names exporters and client libraries use (node_exporter,
 * mysqld_exporter, redis_exporter, the RabbitMQ exporter, HikariCP, x509-certificate-exporter, client
 * library `http_*` and `process_*` metrics). Every series carries `service` (the catalog service),
 * `instance` (host:port) and `host`, except host-level node_* series, which carry `host` and `instance`.
 */

import type { Registry } from './registry.ts';
import { BATCH_JOB, CERT, HOSTS, INSTANCES, PAYMENT_PROVIDERS, SERVICE_BY_NAME } from './shop.ts';
import type { World } from './world.ts';

export type LatencyFormat = 'summary' | 'histogram';

export const HISTOGRAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface EmitState {
  dtSeconds: number;
  latency: LatencyFormat;
  /** Instances whose process restarted during this tick (their counters restart from 0). */
  restarted: ReadonlySet<string>;
  startedAt: ReadonlyMap<string, number>;
  mqDepth: number;
  mqDelivered: number;
  batchLastSuccess: number;
  batchRuns: { ok: number; failed: number };
  certNotAfter: number;
}

function lognormalCdf(x: number, p50: number, p99: number): number {
  const sigma = Math.max(1e-3, (Math.log(p99) - Math.log(p50)) / 2.326);
  const z = (Math.log(x) - Math.log(p50)) / sigma;
  // erf-free logistic approximation of the normal CDF; good to 1% which is plenty for bucket shares.
  return 1 / (1 + Math.exp(-1.702 * z));
}

function declareFamilies(r: Registry, latency: LatencyFormat): void {
  r.family('up', 'gauge', 'Whether the instance is serving (1) or not (0).');
  r.family('http_requests_total', 'counter', 'HTTP requests served, by status code.');
  r.family(
    'http_request_duration_seconds',
    latency,
    'HTTP request latency, including the time spent waiting on dependencies.',
  );
  r.family('process_cpu_seconds_total', 'counter', 'CPU time used by the process.');
  r.family('process_resident_memory_bytes', 'gauge', 'Resident memory of the process.');
  r.family('process_start_time_seconds', 'gauge', 'When the process started, seconds since the epoch.');
  r.family('hikaricp_connections_active', 'gauge', 'Database connections in use.');
  r.family('hikaricp_connections_idle', 'gauge', 'Database connections idle in the pool.');
  r.family('hikaricp_connections_pending', 'gauge', 'Threads waiting for a database connection.');
  r.family('hikaricp_connections_max', 'gauge', 'Pool size.');
  r.family(
    'hikaricp_connections_timeout_total',
    'counter',
    'Requests that gave up waiting for a connection.',
  );
  r.family('node_cpu_seconds_total', 'counter', 'CPU time by mode, summed over all cores.');
  r.family('node_load1', 'gauge', '1-minute load average.');
  r.family('node_memory_MemTotal_bytes', 'gauge', 'Physical memory.');
  r.family('node_memory_MemAvailable_bytes', 'gauge', 'Memory available for new work.');
  r.family('node_filesystem_size_bytes', 'gauge', 'Size of the data filesystem.');
  r.family('node_filesystem_avail_bytes', 'gauge', 'Free space on the data filesystem.');
  r.family('mysql_up', 'gauge', 'Whether MySQL answers.');
  r.family('mysql_global_status_queries', 'counter', 'Statements executed.');
  r.family('mysql_global_status_slow_queries', 'counter', 'Statements slower than long_query_time.');
  r.family('mysql_global_status_threads_running', 'gauge', 'Threads executing a statement.');
  r.family('mysql_global_status_threads_connected', 'gauge', 'Open client connections.');
  r.family('mysql_global_variables_max_connections', 'gauge', 'Connection limit.');
  r.family('mysql_query_duration_seconds', 'summary', 'Statement latency.');
  r.family('mysql_query_errors_total', 'counter', 'Statements that failed.');
  r.family('redis_up', 'gauge', 'Whether the Redis node answers.');
  r.family('redis_keyspace_hits_total', 'counter', 'Lookups that found their key.');
  r.family('redis_keyspace_misses_total', 'counter', 'Lookups that did not find their key.');
  r.family('redis_connected_clients', 'gauge', 'Client connections.');
  r.family('redis_memory_used_bytes', 'gauge', 'Memory used by the data set.');
  r.family('rabbitmq_queue_messages_ready', 'gauge', 'Messages waiting in the queue (queue depth).');
  r.family('rabbitmq_queue_messages_published_total', 'counter', 'Messages published to the queue.');
  r.family('rabbitmq_queue_messages_delivered_total', 'counter', 'Messages delivered to consumers.');
  r.family('shop_orders_total', 'counter', 'Orders placed (rate × 60 = orders per minute).');
  r.family('shop_gmv_yuan_total', 'counter', 'Gross merchandise value of paid orders, yuan.');
  r.family('shop_payments_total', 'counter', 'Payment attempts by provider and result.');
  r.family('shop_login_attempts_total', 'counter', 'Login attempts by result.');
  r.family('batch_job_last_success_timestamp_seconds', 'gauge', 'When the batch job last completed.');
  r.family('batch_job_runs_total', 'counter', 'Batch job runs by result.');
  r.family('x509_cert_not_after', 'gauge', 'Certificate expiry, seconds since the epoch.');
  r.family('x509_cert_expires_in_seconds', 'gauge', 'Seconds until the certificate expires.');
}

/** Registers (first tick) or updates every series from the world, always in the same order. */
export function emitTick(r: Registry, world: World, st: EmitState): void {
  if (r.families.size === 0) declareFamilies(r, st.latency);
  const dt = st.dtSeconds;
  const dur = 'http_request_duration_seconds';

  for (const inst of INSTANCES) {
    const spec = SERVICE_BY_NAME.get(inst.service)!;
    const s = world.instances.get(inst.id)!;
    const base = { service: inst.service, instance: inst.id, host: inst.host };
    const reset = st.restarted.has(inst.id);
    r.gauge('up', 'up', base, s.up ? 1 : 0);
    if (spec.kind === 'app') {
      const codes: [string, number][] = [
        ['200', s.rps.ok],
        ['404', s.rps.notFound],
        ['500', s.rps.error],
        ['503', s.rps.unavailable],
      ];
      if (inst.service === 'storefront' || inst.service === 'user') codes.push(['401', s.rps.unauthorized]);
      let served = 0;
      for (const [code, rate] of codes) {
        served += r.count('http_requests_total', 'http_requests_total', { ...base, code }, rate * dt, reset);
      }
      const meanLatency = s.p50 * 1.25;
      if (st.latency === 'summary') {
        for (const [q, v] of [
          ['0.5', s.p50],
          ['0.9', s.p90],
          ['0.99', s.p99],
        ] as const) {
          r.gauge(dur, dur, { ...base, quantile: q }, v);
        }
      } else {
        for (const le of HISTOGRAM_BUCKETS) {
          const share = s.total > 0 ? lognormalCdf(le, s.p50, s.p99) : 0;
          r.add(dur, `${dur}_bucket`, { ...base, le: String(le) }, Math.floor(served * share), reset);
        }
        r.add(dur, `${dur}_bucket`, { ...base, le: '+Inf' }, served, reset);
      }
      r.add(dur, `${dur}_sum`, base, served * meanLatency, reset);
      r.add(dur, `${dur}_count`, base, served, reset);
    }
    r.add('process_cpu_seconds_total', 'process_cpu_seconds_total', base, s.cpu * dt, reset);
    r.gauge('process_resident_memory_bytes', 'process_resident_memory_bytes', base, s.rssBytes);
    r.gauge(
      'process_start_time_seconds',
      'process_start_time_seconds',
      base,
      (st.startedAt.get(inst.id) ?? 0) / 1000,
    );
    if (s.pool) {
      const pool = { ...base, pool: 'mysql-main' };
      r.gauge('hikaricp_connections_active', 'hikaricp_connections_active', pool, Math.round(s.pool.active));
      r.gauge('hikaricp_connections_idle', 'hikaricp_connections_idle', pool, Math.round(s.pool.idle));
      r.gauge(
        'hikaricp_connections_pending',
        'hikaricp_connections_pending',
        pool,
        Math.round(s.pool.pending),
      );
      r.gauge('hikaricp_connections_max', 'hikaricp_connections_max', pool, s.pool.max);
      r.count(
        'hikaricp_connections_timeout_total',
        'hikaricp_connections_timeout_total',
        pool,
        s.pool.timeoutsPerSec * dt,
        reset,
      );
    }
  }

  for (const h of HOSTS) {
    const hs = world.hosts.get(h.name)!;
    const labels = { host: h.name, instance: `${h.name}:9100` };
    const idle = Math.max(0, h.cores - hs.cpuBusy);
    r.add('node_cpu_seconds_total', 'node_cpu_seconds_total', { ...labels, mode: 'idle' }, idle * dt);
    r.add(
      'node_cpu_seconds_total',
      'node_cpu_seconds_total',
      { ...labels, mode: 'user' },
      hs.cpuBusy * 0.85 * dt,
    );
    r.add(
      'node_cpu_seconds_total',
      'node_cpu_seconds_total',
      { ...labels, mode: 'system' },
      hs.cpuBusy * 0.15 * dt,
    );
    r.gauge('node_load1', 'node_load1', labels, hs.load1);
    r.gauge('node_memory_MemTotal_bytes', 'node_memory_MemTotal_bytes', labels, h.memoryBytes);
    r.gauge(
      'node_memory_MemAvailable_bytes',
      'node_memory_MemAvailable_bytes',
      labels,
      Math.round(hs.memAvailableBytes),
    );
    const fs = { ...labels, mountpoint: '/data', device: '/dev/vdb1', fstype: 'ext4' };
    r.gauge('node_filesystem_size_bytes', 'node_filesystem_size_bytes', fs, h.diskBytes);
    r.gauge(
      'node_filesystem_avail_bytes',
      'node_filesystem_avail_bytes',
      fs,
      Math.round(h.diskBytes * (1 - hs.diskUsedRatio)),
    );
  }

  const dbInst = INSTANCES.find((i) => i.service === 'mysql-main')!;
  const db = { service: 'mysql-main', instance: dbInst.id, host: dbInst.host };
  const dbs = world.instances.get(dbInst.id)!;
  r.gauge('mysql_up', 'mysql_up', db, 1);
  r.count('mysql_global_status_queries', 'mysql_global_status_queries', db, world.db.qps * dt);
  r.count(
    'mysql_global_status_slow_queries',
    'mysql_global_status_slow_queries',
    db,
    world.db.slowPerSec * dt,
  );
  r.gauge(
    'mysql_global_status_threads_running',
    'mysql_global_status_threads_running',
    db,
    Math.round(world.db.threadsRunning),
  );
  r.gauge(
    'mysql_global_status_threads_connected',
    'mysql_global_status_threads_connected',
    db,
    Math.round(world.db.threadsConnected),
  );
  r.gauge('mysql_global_variables_max_connections', 'mysql_global_variables_max_connections', db, 1000);
  for (const [q, v] of [
    ['0.5', dbs.p50],
    ['0.9', dbs.p90],
    ['0.99', dbs.p99],
  ] as const) {
    r.gauge('mysql_query_duration_seconds', 'mysql_query_duration_seconds', { ...db, quantile: q }, v);
  }
  r.count(
    'mysql_query_errors_total',
    'mysql_query_errors_total',
    db,
    (dbs.rps.error + dbs.rps.unavailable) * dt,
  );

  for (const [host, node] of world.cache.nodes) {
    const redisInst = INSTANCES.find((i) => i.service === 'redis-cache' && i.host === host)!;
    const labels = { service: 'redis-cache', instance: redisInst.id, host };
    r.gauge('redis_up', 'redis_up', labels, node.up ? 1 : 0);
    r.count('redis_keyspace_hits_total', 'redis_keyspace_hits_total', labels, node.hitsPerSec * dt);
    r.count('redis_keyspace_misses_total', 'redis_keyspace_misses_total', labels, node.missesPerSec * dt);
    r.gauge(
      'redis_connected_clients',
      'redis_connected_clients',
      labels,
      node.up ? 180 + Math.round(node.hitsPerSec / 50) : 0,
    );
    r.gauge(
      'redis_memory_used_bytes',
      'redis_memory_used_bytes',
      labels,
      world.instances.get(redisInst.id)!.rssBytes,
    );
  }

  const mqInst = INSTANCES.find((i) => i.service === 'mq')!;
  const mq = { service: 'mq', instance: mqInst.id, host: mqInst.host, queue: 'order-events' };
  r.gauge('rabbitmq_queue_messages_ready', 'rabbitmq_queue_messages_ready', mq, Math.round(st.mqDepth));
  r.count(
    'rabbitmq_queue_messages_published_total',
    'rabbitmq_queue_messages_published_total',
    mq,
    world.mq.publishPerSec * dt,
  );
  r.add(
    'rabbitmq_queue_messages_delivered_total',
    'rabbitmq_queue_messages_delivered_total',
    mq,
    Math.round(st.mqDelivered),
  );

  const order = { service: 'order' };
  r.count('shop_orders_total', 'shop_orders_total', order, world.business.ordersPerSec * dt);
  r.add(
    'shop_gmv_yuan_total',
    'shop_gmv_yuan_total',
    order,
    Math.round(world.business.gmvPerSec * dt * 100) / 100,
  );
  for (const p of PAYMENT_PROVIDERS) {
    const v = world.business.payments.get(p)!;
    r.count(
      'shop_payments_total',
      'shop_payments_total',
      { service: 'payment', provider: p, result: 'success' },
      v.ok * dt,
    );
    r.count(
      'shop_payments_total',
      'shop_payments_total',
      { service: 'payment', provider: p, result: 'failure' },
      v.failed * dt,
    );
  }
  const loginFail = world.business.loginFailuresPerSec;
  const logins = (world.services.get('user')?.rps ?? 0) * 0.08;
  r.count(
    'shop_login_attempts_total',
    'shop_login_attempts_total',
    { service: 'user', result: 'success' },
    logins * dt,
  );
  r.count(
    'shop_login_attempts_total',
    'shop_login_attempts_total',
    { service: 'user', result: 'failure' },
    loginFail * dt,
  );

  const job = {
    service: 'order',
    job: BATCH_JOB.name,
    instance: `${BATCH_JOB.host}:9091`,
    host: BATCH_JOB.host,
  };
  r.gauge(
    'batch_job_last_success_timestamp_seconds',
    'batch_job_last_success_timestamp_seconds',
    job,
    Math.floor(st.batchLastSuccess / 1000),
  );
  r.add('batch_job_runs_total', 'batch_job_runs_total', { ...job, result: 'success' }, st.batchRuns.ok);
  r.add('batch_job_runs_total', 'batch_job_runs_total', { ...job, result: 'failure' }, st.batchRuns.failed);

  const cert = { service: 'storefront', subject_CN: CERT.host, issuer_CN: 'Shop Example CA' };
  r.gauge('x509_cert_not_after', 'x509_cert_not_after', cert, Math.floor(st.certNotAfter / 1000));
  r.gauge(
    'x509_cert_expires_in_seconds',
    'x509_cert_expires_in_seconds',
    cert,
    Math.round((st.certNotAfter - world.t) / 1000),
  );
}
