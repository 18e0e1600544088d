/** What the incidents module offers: the alert intake, the services, their routes and job handlers. */
export { createEscalation, type EnqueueIn, type Escalation } from './escalation.ts';
export { incidentsRepo } from './incidents.repo.ts';
export { registerIncidentRoutes } from './incidents.routes.ts';
export type { Incident, TimelineEvent } from './incidents.schemas.ts';
export { createIncidentsService, type IncidentsService } from './incidents.service.ts';
export { createIntake } from './intake.service.ts';
export {
  type AlertGroupSignal,
  type GroupAlert,
  type IncidentIntake,
  SEVERITIES,
  type Severity,
} from './intake.ts';
export { createTimelineNotifier, type Notifier, type PageRequest } from './notifier.ts';
export { createReviewService, reviewComplete } from './review.service.ts';
export { createSettingsService } from './settings.service.ts';
export { createRecorder, type EventKind, type Recorder } from './timeline.ts';
export { createResponse, type Response } from './wiring.ts';
