import { compressSync } from 'snappy';
import { describe, expect, it } from 'vitest';
import type { AppError } from '../../../platform/errors.ts';
import type { AppendResult, SeriesSamples } from '../metric-store.ts';
import { createIngestService } from './ingest.service.ts';
import { decodeRemoteWrite, decodeRemoteWriteWire, encodeRemoteWrite } from './remote-write.codec.ts';
import { wireKey, wireLabels } from './remote-write.wire.ts';

const MB = 1024 * 1024;

/** Protobuf by hand, for encodings the encoder never makes. */
const varint = (n: bigint): number[] => {
  let v = BigInt.asUintN(64, n);
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
};
const field = (tag: number, body: number[]) => [tag, ...varint(BigInt(body.length)), ...body];
const text = (s: string) => [...Buffer.from(s)];
const label = (name: string, value: string) =>
  field(0x0a, [...field(0x0a, text(name)), ...field(0x12, text(value))]);
const sample = (ts: bigint, value: number) => {
  const d = Buffer.alloc(8);
  d.writeDoubleLE(value);
  return field(0x12, [0x10, ...varint(ts), 0x09, ...d]);
};

describe('remote_write wire reader', () => {
  it('reads what protobufjs reads: points, labels, NaN, ±Inf, negative and large timestamps', async () => {
    const series: SeriesSamples[] = [
      {
        labels: { __name__: 'a', job: 'shop', zone: 'é☃' },
        points: [
          { ts: 1732500000000, value: 1.25 },
          { ts: -5, value: Number.NaN },
          { ts: 2 ** 52 + 3, value: Number.NEGATIVE_INFINITY },
        ],
      },
      { labels: { __name__: 'b' }, points: [] },
    ];
    const body = await encodeRemoteWrite(series, [{ type: 1, metricFamilyName: 'a', help: '', unit: '' }]);
    const slow = await decodeRemoteWrite(body, MB);
    const fast = await decodeRemoteWriteWire(body, MB);
    expect(fast.hasMetadata).toBe(true);
    expect(fast.series.map((s) => ({ labels: wireLabels(fast, s), points: s.points }))).toEqual(slow.series);
  });

  it('skips unknown fields and joins labels split around samples into one identity', async () => {
    const ts = [
      ...field(0x0a, [
        ...label('__name__', 'x'),
        ...sample(7n, 2),
        ...field(0x1a, [1, 2, 3]), // exemplar
        ...label('job', 'j'),
      ]),
    ];
    const split = await decodeRemoteWriteWire(compressSync(Buffer.from(ts)), MB);
    const s = split.series[0];
    expect(s && wireLabels(split, s)).toEqual({ __name__: 'x', job: 'j' });
    expect(s?.points).toEqual([{ ts: 7, value: 2 }]);
    const joined = await decodeRemoteWriteWire(
      compressSync(Buffer.from(field(0x0a, [...label('__name__', 'x'), ...label('job', 'j')]))),
      MB,
    );
    const j = joined.series[0];
    expect(j?.hash).toBe(s?.hash);
    const [jb, js, je] = wireKey(joined, j as never);
    const [sb, ss, se] = wireKey(split, s as never);
    expect(jb.subarray(js, je).equals(sb.subarray(ss, se))).toBe(true);
  });

  it('refuses what protobufjs refuses, with its message, and a label given twice', async () => {
    const truncated = compressSync(Buffer.from(field(0x0a, label('__name__', 'x')).slice(0, -2)));
    await expect(decodeRemoteWriteWire(truncated, MB)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/WriteRequest protobuf/),
    });
    const dup = await decodeRemoteWriteWire(
      compressSync(Buffer.from(field(0x0a, [...label('a', '1'), ...label('a', '2'), ...sample(1n, 1)]))),
      MB,
    );
    expect(() => wireLabels(dup, dup.series[0] as never)).toThrow(/label "a" twice/);
    const badUtf8 = await decodeRemoteWriteWire(
      compressSync(
        Buffer.from(field(0x0a, [...field(0x0a, [...field(0x0a, [0xff, 0xfe])]), ...sample(1n, 1)])),
      ),
      MB,
    );
    expect(() => wireLabels(badUtf8, badUtf8.series[0] as never)).toThrow(/WriteRequest protobuf/);
  });

  it('checks a label set once and then maps the same bytes to the same clean labels', async () => {
    const appended: SeriesSamples[][] = [];
    const sink = createIngestService({
      store: {
        append: async (b): Promise<AppendResult> => {
          appended.push([...b]);
          return { samples: b.length, newSeries: 0 };
        },
      },
      serviceRules: [{ label: 'job', regex: 'shop-(.*)', service: '$1' }],
    });
    const body = (ts: number, name = 'up') =>
      encodeRemoteWrite([
        { labels: { __name__: name, job: 'shop-cart', empty: '' }, points: [{ ts, value: 1 }] },
      ]);
    await sink.ingestWire(await decodeRemoteWriteWire(await body(1), MB));
    await sink.ingestWire(await decodeRemoteWriteWire(await body(2), MB));
    expect(appended[0]?.[0]?.labels).toEqual({ __name__: 'up', job: 'shop-cart', service: 'cart' });
    expect(appended[1]?.[0]?.labels).toBe(appended[0]?.[0]?.labels);
    const refused = await sink
      .ingestWire(await decodeRemoteWriteWire(await body(3, '1bad'), MB))
      .catch((e: AppError) => `${e.status} ${e.message}`);
    expect(refused).toMatch(/^400 .*metric name "1bad"/);
    expect(appended).toHaveLength(2);
  });
});
