/** How a batch of samples travels to the head table on each engine (see store.repo.ts `appendHead`). */

/**
 * SQLite has no array parameters. Fixed-size multi-row VALUES statements stay prepared (the statement
 * cache keys them by text), so a batch costs binding only: 4-5x less than handing SQLite the batch as
 * JSON for json_each to parse. A batch is cut greedily into these sizes. NaN binds as NULL (SQLite's own
 * rule), read back as NaN; the infinities bind as themselves.
 */
export const SQLITE_ROWS = [500, 100, 20, 1];
export const sqliteHeadInsert = SQLITE_ROWS.map(
  (n) =>
    `INSERT INTO metric_samples_head (series_id, ts, value) VALUES ${Array(n).fill('(?,?,?)').join(',')}`,
);

/**
 * A one-dimensional PostgreSQL array in the binary wire format: pg sends a Buffer parameter as binary,
 * so 10,000 doubles are neither printed by Node nor parsed by PostgreSQL (NaN and ±Infinity included).
 */
export function pgBinaryArray(
  kind: 'int8' | 'float8',
  items: readonly number[],
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
