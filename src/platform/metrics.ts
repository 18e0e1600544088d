import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from './db/database.ts';

export interface SelfMetricsSources {
  poolStats(): PoolStats;
  jobCounts(): Promise<{ due: number; scheduled: number; running: number; dead: number }>;
}

/** Steady's own metrics, exposed at /metrics in Prometheus text format. One registry per app instance. */
export function createSelfMetrics(sources: SelfMetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'steady_' });

  const httpDuration = new Histogram({
    name: 'steady_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const jobsFinished = new Counter({
    name: 'steady_jobs_finished_total',
    help: 'Jobs run by this instance, by kind and outcome (done, retry, dead)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'steady_job_duration_seconds',
    help: 'Time a job handler took, by kind',
    labelNames: ['kind'] as const,
    buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'steady_job_queue_depth',
    help: 'Jobs in the durable queue by state (due = queued and runnable now)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await sources.jobCounts();
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'steady_db_pool_connections',
    help: 'Database connections by state (total, idle, waiting clients)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = sources.poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });

  return {
    registry,
    observeJob(kind: string, outcome: 'done' | 'retry' | 'dead', seconds: number) {
      jobsFinished.inc({ kind, outcome });
      jobDuration.observe({ kind }, seconds);
    },
    /** Times every request by its route pattern (not its raw URL, which would explode cardinality). */
    instrument(app: FastifyInstance) {
      app.addHook('onResponse', async (req, reply) => {
        const route = req.routeOptions.url ?? 'unmatched';
        httpDuration.observe(
          { method: req.method, route, status: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
      });
    },
  };
}

export type SelfMetrics = ReturnType<typeof createSelfMetrics>;
