import { describe, expect, it } from 'vitest';
import type { SeriesSamples } from '../metric-store.ts';
import { createIngestService } from './ingest.service.ts';
import { decodeRemoteWriteWire, encodeRemoteWrite } from './remote-write.codec.ts';

const MB = 1 << 20;

/** A store that records what it is handed (the label sets are what matters here). */
function recordingStore() {
  const batches: SeriesSamples[][] = [];
  return {
    batches,
    append: async (batch: readonly SeriesSamples[]) => {
      batches.push(batch.map((s) => ({ labels: { ...s.labels }, points: [...s.points] })));
      return { samples: batch.length, newSeries: 0 };
    },
  };
}

describe('ingest service, remote_write label sets', () => {
  // Two label sets whose label bytes have the same 32-bit hash (found by search): equal hashes must not
  // be taken for equal labels.
  const a = { __name__: 'collide', v: '108xij7' };
  const b = { __name__: 'collide', v: '9dgca7' };

  it('keeps label sets apart whose bytes hash alike, in one request and across requests', async () => {
    const store = recordingStore();
    const ingest = createIngestService({ store });
    const body = (sets: Record<string, string>[], ts: number) =>
      encodeRemoteWrite(sets.map((labels) => ({ labels, points: [{ ts, value: ts }] })));
    const first = await decodeRemoteWriteWire(await body([a, b], 1), MB);
    expect(first.series[0]?.hash).toBe(first.series[1]?.hash);

    await ingest.ingestWire(first);
    await ingest.ingestWire(await decodeRemoteWriteWire(await body([b], 2), MB));
    await ingest.ingestWire(await decodeRemoteWriteWire(await body([a], 3), MB));
    expect(store.batches.map((batch) => batch.map((s) => [s.labels.v, s.points[0]?.ts]))).toEqual([
      [
        ['108xij7', 1],
        ['9dgca7', 1],
      ],
      [['9dgca7', 2]],
      [['108xij7', 3]],
    ]);
  });

  it('checks a label set again once the remembered ones were dropped (bounded memory)', async () => {
    const store = recordingStore();
    const ingest = createIngestService({ store, knownLabelSetsMax: 1 });
    for (let ts = 1; ts <= 3; ts++) {
      const sets = [a, b, { __name__: 'other', job: String(ts) }];
      const req = await decodeRemoteWriteWire(
        await encodeRemoteWrite(sets.map((labels) => ({ labels, points: [{ ts, value: 0 }] }))),
        MB,
      );
      await ingest.ingestWire(req);
    }
    expect(store.batches.flatMap((batch) => batch.map((s) => s.labels))).toEqual(
      [1, 2, 3].flatMap((ts) => [a, b, { __name__: 'other', job: String(ts) }]),
    );
  });
});
