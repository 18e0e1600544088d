import { fromJson, toJson } from '../../../platform/db/constraint-errors.ts';
import type { RuleRow } from './rules.repo.ts';
import type { RuleInput, TypedRule } from './rules.schemas.ts';

export const toRule = (row: RuleRow): TypedRule =>
  ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    spec: fromJson(row.spec) ?? {},
    labels: fromJson<Record<string, string>>(row.labels) ?? {},
    severity: row.severity,
    summary: row.summary,
    description: row.description,
    runbookUrl: row.runbookUrl,
    serviceId: row.serviceId,
    enabled: row.enabled === 1,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }) as TypedRule;

export const toRow = (id: string, input: RuleInput, createdAt: number, updatedAt: number): RuleRow => ({
  id,
  name: input.name,
  kind: input.kind,
  spec: toJson(input.spec),
  labels: toJson(input.labels),
  severity: input.severity,
  summary: input.summary,
  description: input.description,
  runbookUrl: input.runbookUrl,
  serviceId: input.serviceId,
  enabled: input.enabled ? 1 : 0,
  createdAt,
  updatedAt,
});
