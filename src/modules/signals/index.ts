/** What the signals module offers other modules and the app. */

export { registerMetricIngestRoutes } from './ingest/ingest.routes.ts';
export {
  compileServiceRules,
  createIngestService,
  type IngestService,
  type ServiceRule,
  type StoredListener,
} from './ingest/ingest.service.ts';
export { decodeRemoteWrite, encodeRemoteWrite, remoteWriteHeaders } from './ingest/remote-write.codec.ts';
export { scrapeRepo } from './ingest/scrape.repo.ts';
export { registerScrapeRoutes } from './ingest/scrape.routes.ts';
export {
  createScrapeService,
  SCRAPE_JOB,
  SCRAPE_UPKEEP_JOB,
  type ScrapeService,
  scheduleScrapeUpkeep,
} from './ingest/scrape.service.ts';
export type * from './metric-store.ts';
export {
  createProbeRunner,
  createProbesService,
  PROBE_PRUNE_JOB,
  PROBE_RUN_JOB,
  type ProbeRunner,
  type ProbesService,
  probesRepo,
  registerProbeRoutes,
} from './probes/index.ts';
export type { InstantValue } from './query/engine.ts';
export { registerQueryRoutes } from './query/query.routes.ts';
export {
  createRemoteMetricStore,
  type QueryableMetricStore,
  type RemoteStoreOptions,
  remoteStoreOptions,
} from './remote-store/index.ts';
export {
  createEmbeddedMetricStore,
  type EmbeddedMetricStore,
  type EmbeddedStoreDeps,
} from './store/embedded-store.ts';
export {
  METRICS_RETENTION_JOB,
  METRICS_ROLLUP_JOB,
  metricStoreJobs,
  remoteStoreJobs,
  scheduleMetricStoreJobs,
} from './store/store.jobs.ts';
