/**
 * What the alerts stage offers: `receive` (the one entry for alerts from webhooks and from Steady's own
 * rules), its noise-control stages for src/pipeline.ts to compose, and its routes.
 */
export { alertsRepo } from './alerts.repo.ts';
export { registerAlertRoutes } from './alerts.routes.ts';
export type { Alert, RoutingConfig } from './alerts.schemas.ts';
export {
  type AlertSource,
  type AlertsService,
  createAlertsService,
  EXPIRE_JOB,
  type ReceiveResult,
} from './alerts.service.ts';
export { alertConfigRepo } from './config.repo.ts';
export { type AlertConfigService, createAlertConfigService } from './config.service.ts';
export type { IncomingAlert } from './formats/types.ts';
export { createGrouping, FLUSH_JOB, type Grouping } from './grouping.ts';
export { linkedToIncidents } from './incident-links.ts';
export { registerIngestRoutes } from './ingest.routes.ts';
export { createNoiseService, type NoiseService } from './noise.service.ts';
export { inhibitStage } from './stages/inhibit.ts';
export { maintenanceStage } from './stages/maintenance.ts';
export { silenceStage } from './stages/silence.ts';
export type { MuteStage } from './stages/types.ts';
