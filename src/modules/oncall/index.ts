/** What the on-call module offers: schedules, who is on call, escalation policies and their targets. */
export { oncallRepo } from './oncall.repo.ts';
export { registerOncallRoutes } from './oncall.routes.ts';
export type { EscalationPolicy, EscalationStep, EscalationTarget, Schedule } from './oncall.schemas.ts';
export { createOncallService, type OncallService, type ResolvedTarget } from './oncall.service.ts';
