/** Synthetic probes: HTTP(S), TCP, DNS and heartbeat checks, run through the job system. */

export { probesRepo } from './probes.repo.ts';
export { registerProbeRoutes } from './probes.routes.ts';
export { createProbeRunner, PROBE_PRUNE_JOB, PROBE_RUN_JOB, type ProbeRunner } from './probes.runner.ts';
export type { Probe, ProbeDetail, ProbeResult, ProbeState } from './probes.schemas.ts';
export { createProbesService, type ProbesService } from './probes.service.ts';
