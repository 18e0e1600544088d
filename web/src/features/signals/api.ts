import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type {
  createTargetBody,
  ScrapeTarget,
  updateTargetBody,
} from '../../../../src/modules/signals/ingest/ingest.schemas.ts';
import type {
  createdProbe,
  createProbeBody,
  ProbeDetail,
  ProbeResult,
  probeListItem,
  probesReply,
  updateProbeBody,
} from '../../../../src/modules/signals/probes/probes.schemas.ts';
import { ApiError, api, buildUrl } from '../../app/api';

export type ProbeListItem = z.output<typeof probeListItem>;
export type ProbesReply = z.output<typeof probesReply>;
export type CreatedProbe = z.output<typeof createdProbe>;
export type CreateProbeInput = z.input<typeof createProbeBody>;
export type UpdateProbeInput = z.input<typeof updateProbeBody>;
export type CreateTargetInput = z.input<typeof createTargetBody>;
export type UpdateTargetInput = z.input<typeof updateTargetBody>;
export type { ProbeDetail, ProbeResult, ScrapeTarget };

// ---- Prometheus query API ---------------------------------------------------------------------------

export interface PromSeries {
  labels: Record<string, string>;
  /** [epoch ms, value]; NaN and ±Inf come through as numbers. */
  points: [number, number][];
}

/** The query API's own error shape (`{status:"error", error}`), kept apart from the console's ApiError. */
export class PromQueryError extends Error {
  readonly errorType: string;
  constructor(errorType: string, message: string) {
    super(message);
    this.name = 'PromQueryError';
    this.errorType = errorType;
  }
}

async function prom<T>(path: string, query: Record<string, string | number | string[]>): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const one of [v].flat()) params.append(k, String(one));
  }
  let res: Response;
  try {
    res = await fetch(`${buildUrl(path)}?${params}`, {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError(0, 'network', (err as Error).message || 'Network error');
  }
  const body = (await res.json().catch(() => undefined)) as
    | { status: 'success'; data: T }
    | { status: 'error'; errorType?: string; error?: string }
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (body && 'status' in body && body.status === 'success') return body.data;
  if (body && 'status' in body && body.status === 'error')
    throw new PromQueryError(body.errorType ?? 'bad_data', body.error ?? `HTTP ${res.status}`);
  const e = body && 'error' in body && typeof body.error === 'object' ? body.error : undefined;
  throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `HTTP ${res.status}`);
}

const num = (s: string): number => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

export async function queryRange(
  query: string,
  from: number,
  to: number,
  stepSeconds: number,
): Promise<PromSeries[]> {
  const data = await prom<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
    '/query_range',
    { query, start: from / 1000, end: to / 1000, step: stepSeconds },
  );
  return data.result.map((s) => ({
    labels: s.metric,
    points: s.values.map(([ts, v]) => [Math.round(ts * 1000), num(v)]),
  }));
}

/** An instant query reduced to label sets and values (vectors; a scalar becomes one unlabelled series). */
export async function queryInstant(
  query: string,
): Promise<{ labels: Record<string, string>; value: number }[]> {
  const data = await prom<
    | { resultType: 'vector'; result: { metric: Record<string, string>; value: [number, string] }[] }
    | { resultType: 'scalar'; result: [number, string] }
    | { resultType: 'matrix' | 'string'; result: unknown }
  >('/query', { query });
  if (data.resultType === 'vector')
    return data.result.map((s) => ({ labels: s.metric, value: num(s.value[1]) }));
  if (data.resultType === 'scalar') return [{ labels: {}, value: num(data.result[1]) }];
  return [];
}

export const labelValues = (name: string, match?: string) =>
  prom<string[]>(`/label/${encodeURIComponent(name)}/values`, match ? { 'match[]': match } : {});

export const labelNames = (match?: string) => prom<string[]>('/labels', match ? { 'match[]': match } : {});

export const signalKeys = {
  all: ['signals'] as const,
  range: (query: string, from: number, to: number, step: number) =>
    ['signals', 'range', query, from, to, step] as const,
  instant: (query: string) => ['signals', 'instant', query] as const,
  labelValues: (name: string, match?: string) => ['signals', 'labelValues', name, match ?? ''] as const,
  labelNames: (match?: string) => ['signals', 'labelNames', match ?? ''] as const,
  probes: ['signals', 'probes'] as const,
  probe: (id: string) => ['signals', 'probes', id] as const,
  results: (id: string) => ['signals', 'probes', id, 'results'] as const,
  targets: ['signals', 'targets'] as const,
};

export const useRangeQuery = (
  query: string,
  from: number,
  to: number,
  stepSeconds: number,
  opts: { enabled?: boolean; refetchInterval?: number } = {},
) =>
  useQuery({
    queryKey: signalKeys.range(query, from, to, stepSeconds),
    queryFn: () => queryRange(query, from, to, stepSeconds),
    enabled: (opts.enabled ?? true) && query.trim() !== '',
    placeholderData: keepPreviousData,
    refetchInterval: opts.refetchInterval,
    retry: (n, err) => !(err instanceof PromQueryError) && n < 2,
  });

export const useInstantQuery = (query: string, opts: { refetchInterval?: number } = {}) =>
  useQuery({
    queryKey: signalKeys.instant(query),
    queryFn: () => queryInstant(query),
    refetchInterval: opts.refetchInterval,
    retry: (n, err) => !(err instanceof PromQueryError) && n < 2,
  });

export const useLabelValues = (name: string, match?: string, enabled = true) =>
  useQuery({
    queryKey: signalKeys.labelValues(name, match),
    queryFn: () => labelValues(name, match),
    enabled: enabled && name !== '',
    staleTime: 30_000,
  });

export const useLabelNames = (match?: string) =>
  useQuery({
    queryKey: signalKeys.labelNames(match),
    queryFn: () => labelNames(match),
    enabled: !!match,
    staleTime: 30_000,
  });

// ---- Probes ------------------------------------------------------------------------------------------

export const useProbes = (opts: { refetchInterval?: number } = {}) =>
  useQuery({
    queryKey: signalKeys.probes,
    queryFn: () => api.get<ProbesReply>('/probes'),
    refetchInterval: opts.refetchInterval,
  });

export const useProbe = (id: string | undefined) =>
  useQuery({
    queryKey: signalKeys.probe(id ?? ''),
    queryFn: () => api.get<ProbeDetail>(`/probes/${id}`),
    enabled: !!id,
    refetchInterval: 5000,
  });

export const useProbeFailures = (id: string) =>
  useQuery({
    queryKey: signalKeys.results(id),
    queryFn: async () =>
      (await api.get<{ items: ProbeResult[] }>(`/probes/${id}/results`, { limit: 50, onlyFailures: true }))
        .items,
    refetchInterval: 5000,
  });

function useProbeMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => qc.invalidateQueries({ queryKey: signalKeys.probes }),
  });
}

export const useSaveProbe = () =>
  useProbeMutation(
    ({ id, create, update }: { id?: string; create?: CreateProbeInput; update?: UpdateProbeInput }) =>
      id ? api.patch<ProbeDetail>(`/probes/${id}`, update) : api.post<CreatedProbe>('/probes', create),
  );
export const useDeleteProbe = () => useProbeMutation((id: string) => api.delete(`/probes/${id}`));
export const useRunProbe = () =>
  useProbeMutation((id: string) => api.post<{ result: ProbeResult }>(`/probes/${id}/run`));
export const usePauseProbe = () =>
  useProbeMutation(({ id, pause }: { id: string; pause: boolean }) =>
    api.post(`/probes/${id}/${pause ? 'pause' : 'resume'}`),
  );

// ---- Scrape targets ----------------------------------------------------------------------------------

export const useTargets = () =>
  useQuery({
    queryKey: signalKeys.targets,
    queryFn: async () => (await api.get<{ items: ScrapeTarget[] }>('/scrape-targets')).items,
    refetchInterval: 10_000,
  });

export function useSaveTarget() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      create,
      update,
    }: {
      id?: string;
      create?: CreateTargetInput;
      update?: UpdateTargetInput;
    }) =>
      id
        ? api.patch<ScrapeTarget>(`/scrape-targets/${id}`, update)
        : api.post<ScrapeTarget>('/scrape-targets', create),
    onSuccess: () => qc.invalidateQueries({ queryKey: signalKeys.targets }),
  });
}

export function useDeleteTarget() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/scrape-targets/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: signalKeys.targets }),
  });
}
