// GROUP BY date_bin(...) forms exactly the groups of date_bin evaluated row by row, whatever the order
// of the timestamps: unordered rows, NULLs, times before 1970, rows years apart, bin edges, origins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Field, RecordBatch, Schema, Struct, TimestampNanosecond, makeData } from 'apache-arrow';
import { runQuery } from '../../query/engine.js';
import { MemoryTable } from '../../query/memory-table.js';
import { tableSourceOf } from '../../query/views/information-schema.js';
import { renderRows } from './render.js';

const MINUTE = 60_000_000_000n;
const T0 = BigInt(Date.UTC(2024, 0, 1)) * 1_000_000n;

/** A table `t(time)` of nanosecond timestamps (null = NULL), cut into batches of `batchRows`. */
function times(values: (bigint | null)[], batchRows: number): MemoryTable {
  const field = new Field('time', new TimestampNanosecond('UTC'), true);
  const schema = new Schema([field]);
  const batches: RecordBatch[] = [];
  for (let at = 0; at < values.length; at += batchRows) {
    const part = values.slice(at, at + batchRows);
    const data = BigInt64Array.from(part, (v) => v ?? 0n);
    const nullBitmap = new Uint8Array(Math.ceil(part.length / 8));
    part.forEach((v, i) => { if (v !== null) nullBitmap[i >> 3] |= 1 << (i & 7); });
    const nullCount = part.filter((v) => v === null).length;
    const child = makeData({ type: field.type, length: part.length, nullCount, nullBitmap, data });
    batches.push(new RecordBatch(schema, makeData({ type: new Struct([field]), length: part.length, nullCount: 0, children: [child] })));
  }
  return new MemoryTable(schema, batches, 'time');
}

const byText = (a: string[], b: string[]) => (a.join() < b.join() ? -1 : a.join() > b.join() ? 1 : 0);

/** Groups and counts of `bin` (a date_bin call) formed by the aggregate, and counted from the
 * per-row values of the same call; both in one (text) order. */
async function groupsBothWays(t: MemoryTable, bin: string): Promise<{ grouped: string[][]; perRow: string[][] }> {
  const tables = tableSourceOf({ t });
  const grouped = renderRows((await runQuery(`select ${bin} as b, count(*) from t group by b`, { tables })).batches);
  const counts = new Map<string, number>();
  for (const [b] of renderRows((await runQuery(`select ${bin} from t`, { tables })).batches)) counts.set(b, (counts.get(b) ?? 0) + 1);
  const perRow = [...counts].map(([b, n]) => [b, String(n)]);
  return { grouped: grouped.sort(byText), perRow: perRow.sort(byText) };
}

const SAMPLE: (bigint | null)[] = [
  T0, T0 + 1n, T0 + MINUTE - 1n, T0 + MINUTE, T0 - 1n, null, T0 + 3n * MINUTE + 5n, T0 + 30n,
  T0 + 400n * 86_400_000_000_000n, // ~400 days later
  -1n, -MINUTE, -MINUTE - 1n, 0n, // around 1970, including negative times
  T0 + 2n * MINUTE, T0 + 10n, null, T0 + MINUTE + 1n, -3_000_000_000_000_000_000n, // 1874
  3_000_000_000_000_000_000n, T0 + 59_999_999_999n,
  9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, // the ends of 64 bits: bins that wrap
];

test('GROUP BY date_bin gives the per-row bins and counts, across batches and in any order', async () => {
  for (const batchRows of [1, 3, SAMPLE.length]) {
    const t = times(SAMPLE, batchRows);
    for (const bin of [
      "date_bin(interval '1 minute', time)",
      "date_bin(interval '7 nanoseconds', time)",
      "date_bin(interval '1 hour', time, '2024-01-01T00:00:30Z')",
      "date_bin(interval '52 days', time)",
      "date_bin(interval '60 days', time)",
      "date_bin(interval '100000 days', time)",
    ]) {
      const { grouped, perRow } = await groupsBothWays(t, bin);
      assert.deepEqual(grouped, perRow, `${bin}, batches of ${batchRows}`);
      assert.equal(grouped.reduce((s, [, n]) => s + Number(n), 0), SAMPLE.length);
    }
  }
});

test('GROUP BY date_bin over a long ordered run of timestamps: one group per minute', async () => {
  const values = Array.from({ length: 10_000 }, (_, i) => T0 + BigInt(i) * 37_000_000n); // 6 min 10 s
  const { grouped, perRow } = await groupsBothWays(times(values, 4096), "date_bin(interval '1 minute', time)");
  assert.deepEqual(grouped, perRow);
  assert.equal(grouped.length, 7);
});
