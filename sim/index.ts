/** What the demo, the early-warning benchmark and tests use from the simulator. */

export type { Complaint, SimEvent } from './events.ts';
export { runSimulation } from './runner.ts';
export { type ChangeRecord, SCENARIOS, type ScenarioDef, scenarioNames } from './scenarios.ts';
export { startShopServer } from './server.ts';
export { HOSTS, hostMap, SERVICES } from './shop.ts';
export {
  computeTruth,
  createSimulation,
  type FaultTruth,
  type ScenarioRequest,
  type Simulation,
  type SimulationOptions,
} from './simulation.ts';
export { createIngestSink, type IngestSink, SinkError } from './sink.ts';
export { describeObjectives } from './slo.ts';
export { type Promotion, promotionDefaults } from './traffic.ts';
