/**
 * How a batch of samples travels to the head table on each engine (see store.repo.ts `appendHead`), and
 * on SQLite out of it again (compaction, run by head-writer.thread.ts).
 */

/**
 * SQLite has no array parameters. Fixed-size multi-row VALUES statements stay prepared (the statement
 * cache keys them by text), so a batch costs binding only: 4-5x less than handing SQLite the batch as
 * JSON for json_each to parse. A batch is cut greedily into these sizes. NaN binds as NULL (SQLite's own
 * rule), read back as NaN; the infinities bind as themselves.
 */
export const SQLITE_ROWS = [500, 100, 20, 1];
const sqliteHeadInsert = SQLITE_ROWS.map(
  (n) =>
    `INSERT INTO metric_samples_head (series_id, ts, value) VALUES ${Array(n).fill('(?,?,?)').join(',')}`,
);

/** The statements inserting a batch into the head, and their parameters, largest first. */
export function* sqliteHeadStatements(
  ids: Float64Array,
  ts: Float64Array,
  values: Float64Array,
): Generator<{ sql: string; params: number[] }> {
  let at = 0;
  for (let k = 0; k < SQLITE_ROWS.length; k++) {
    const rows = SQLITE_ROWS[k] as number;
    while (ids.length - at >= rows) {
      const params = new Array<number>(rows * 3);
      for (let j = 0; j < rows; j++, at++) {
        params[3 * j] = ids[at] as number;
        params[3 * j + 1] = ts[at] as number;
        params[3 * j + 2] = values[at] as number;
      }
      yield { sql: sqliteHeadInsert[k] as string, params };
    }
  }
}

/**
 * SQLite's compaction, in one IMMEDIATE transaction: the `limit` oldest head rows into the clustered
 * table in (series, ts) order, rows of one (series, ts) in seq order so the last write is the one that
 * stays, then out of the head. PostgreSQL's is in store.repo.ts `compact`.
 */
export const sqliteCompaction = {
  oldest: `SELECT max(seq) AS upTo, count(*) AS n FROM (
    SELECT seq FROM metric_samples_head ORDER BY seq LIMIT ?) AS oldest`,
  move: `INSERT INTO metric_samples (series_id, ts, value)
    SELECT series_id, ts, value FROM metric_samples_head WHERE seq <= ? ORDER BY series_id, ts, seq
    ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value`,
  drop: 'DELETE FROM metric_samples_head WHERE seq <= ?',
};

/**
 * A one-dimensional PostgreSQL array in the binary wire format: pg sends a Buffer parameter as binary,
 * so 10,000 doubles are neither printed by Node nor parsed by PostgreSQL (NaN and ±Infinity included).
 */
export function pgBinaryArray(
  kind: 'int8' | 'float8',
  items: ArrayLike<number>,
  from: number,
  to: number,
): Buffer {
  const n = to - from;
  const buf = Buffer.allocUnsafe(20 + n * 12);
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(0, 4); // no nulls
  buf.writeInt32BE(kind === 'int8' ? 20 : 701, 8); // element type oid
  buf.writeInt32BE(n, 12);
  buf.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (let i = from; i < to; i++) {
    buf.writeInt32BE(8, at);
    const v = items[i] as number;
    if (kind === 'float8') buf.writeDoubleBE(v, at + 4);
    else {
      // Two's complement from two 32-bit halves: exact for every safe integer, without a BigInt each.
      const hi = Math.floor(v / 4294967296);
      buf.writeInt32BE(hi, at + 4);
      buf.writeUInt32BE(v - hi * 4294967296, at + 8);
    }
    at += 12;
  }
  return buf;
}
