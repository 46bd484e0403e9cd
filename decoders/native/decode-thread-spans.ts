// A `cpu` stream's blocks → `thread_spans` rows (native-format §10.3): blocks grouped into chains,
// begin/end events paired with a stack across the blocks of a chain, ids from event indices,
// plus one thread-root row per chain that emitted spans.
import { makeData, RecordBatch, Schema, Struct, type Data } from 'apache-arrow';
import type { ProcessRow, StreamRow } from '../../lake/types.js';
import { type DecodeOptions, batchRowsOf } from '../context.js';
import { Int64Column, Utf8Column } from '../columns.js';
import { FrameCursor, UnreadableObject, unreadable, type ReadScope } from './transit.js';
import { noteUnreadable } from './dependencies.js';
import { NativeCorruptSegmentError, type NativeDecodeContext, asCorrupt, openSegment, reportSegment } from './segment.js';
import { TickConverter, relativeTicksToNs } from './ticks.js';
import { THREAD_SPAN, newSpanEvent, spanReader } from './span-events.js';
import { makeScope, type SpanScope } from './events.js';
import { projectNativeFields } from './schemas.js';
import { UInt32Column } from './uint32-column.js';
import { CorruptSegmentError } from '../context.js';

export interface NativeSpanBlock {
  /** The segment bytes (the block's CBOR BlockPayload). */
  payload: Uint8Array;
  /** Its decode context (descriptors, clock, block id). */
  ctx: NativeDecodeContext;
  beginTicks: bigint;
  endTicks: bigint;
  objectOffset: bigint;
}

export interface NativeDecodeOptions extends DecodeOptions {
  /** When given, a corrupt block is reported here and decoding goes on without it; otherwise the
   * CorruptSegmentError is thrown. */
  onCorruptSegment?: (e: CorruptSegmentError) => void;
}

/** Rows of one chain, column-wise. */
class SpanRows {
  id: bigint[] = [];
  parent: bigint[] = [];
  depth: number[] = [];
  begin: bigint[] = [];
  end: bigint[] = [];
  scope: SpanScope[] = [];
  push(id: bigint, parent: bigint, depth: number, begin: bigint, end: bigint, scope: SpanScope): void {
    this.id.push(id);
    this.parent.push(parent);
    this.depth.push(depth);
    this.begin.push(begin);
    this.end.push(end);
    this.scope.push(scope);
  }
  get length(): number {
    return this.id.length;
  }
}

interface OpenSpan {
  id: bigint;
  scope: SpanScope;
  begin: bigint;
}

/** The thread root's name: `<thread-name>-<thread-id>`, `<thread-id>`, or the stream id. */
export function threadRootName(stream: StreamRow): string {
  const id = stream.properties['thread-id'];
  const name = stream.properties['thread-name'];
  if (id !== undefined && name !== undefined) return `${name}-${id}`;
  if (id !== undefined) return id;
  return stream.stream_id;
}

/** Groups blocks into chains (§10.3 step 1). */
export function spanChains<T extends { beginTicks: bigint; endTicks: bigint; objectOffset: bigint }>(blocks: readonly T[]): T[][] {
  const sorted = [...blocks].sort((a, b) =>
    a.beginTicks !== b.beginTicks ? (a.beginTicks < b.beginTicks ? -1 : 1) : a.objectOffset < b.objectOffset ? -1 : a.objectOffset > b.objectOffset ? 1 : 0,
  );
  const chains: T[][] = [];
  let maxEnd = 0n;
  for (const b of sorted) {
    if (chains.length === 0 || b.beginTicks > maxEnd) {
      chains.push([b]);
      maxEnd = b.endTicks;
    } else {
      chains[chains.length - 1].push(b);
      if (b.endTicks > maxEnd) maxEnd = b.endTicks;
    }
  }
  return chains;
}

export function* decodeThreadSpans(
  blocks: readonly NativeSpanBlock[],
  stream: StreamRow,
  process: ProcessRow,
  projection: readonly string[] | null,
  opts?: NativeDecodeOptions,
): Generator<RecordBatch, void, undefined> {
  void process; // identity columns are not part of thread_spans; the clock comes with each block's ctx
  const fields = projectNativeFields('thread_spans', projection);
  const schema = new Schema(fields);
  const batchRows = batchRowsOf(opts);
  const rangeBegin = opts?.timeRange?.begin;
  const rangeEnd = opts?.timeRange?.end;
  const rootName = threadRootName(stream);
  for (const chain of spanChains(blocks)) {
    const rows = decodeChain(chain, rootName, opts);
    if (rows.length === 0) continue;
    const order = rows.id.map((_, i) => i);
    order.sort((a, b) => (rows.begin[a] !== rows.begin[b] ? (rows.begin[a] < rows.begin[b] ? -1 : 1) : rows.depth[a] - rows.depth[b]));
    const kept = order.filter(
      (i) => (rangeEnd === undefined || rows.begin[i] <= rangeEnd) && (rangeBegin === undefined || rows.end[i] >= rangeBegin),
    );
    for (let at = 0; at < kept.length; at += batchRows) {
      yield spanBatch(schema, rows, kept.slice(at, at + batchRows));
    }
  }
}

function decodeChain(chain: readonly NativeSpanBlock[], rootName: string, opts: NativeDecodeOptions | undefined): SpanRows {
  const rows = new SpanRows();
  const clock = chain[0].ctx.clock;
  let maxEnd = chain[0].endTicks;
  for (const b of chain) if (b.endTicks > maxEnd) maxEnd = b.endTicks;
  const r0 = relativeTicksToNs(chain[0].beginTicks, clock);
  const r1 = relativeTicksToNs(maxEnd, clock);
  if (r0 === undefined || r1 === undefined) {
    report(opts, new NativeCorruptSegmentError(chain[0].ctx.blockId, 'payload', 0, 'block ticks outside the Int64 nanosecond range'));
    return rows;
  }
  const stack: OpenSpan[] = [];
  for (const block of chain) {
    try {
      decodeBlock(block, r0, r1, stack, rows);
    } catch (e) {
      if (e instanceof CorruptSegmentError && opts?.onCorruptSegment && !(e instanceof MismatchedSpanEnd)) {
        opts.onCorruptSegment(e);
        continue;
      }
      throw e;
    }
  }
  for (let i = 0; i < stack.length; i++) {
    const s = stack[i];
    rows.push(s.id, i > 0 ? stack[i - 1].id : -1n, i + 1, s.begin, r1, s.scope);
  }
  if (rows.length > 0) rows.push(-1n, 0n, 0, r0, r1, makeScope(rootName, '', '', 0));
  return rows;
}

/** An end event that does not close the innermost open span: the stream is malformed (§10.3). */
export class MismatchedSpanEnd extends NativeCorruptSegmentError {}

function decodeBlock(block: NativeSpanBlock, r0: bigint, r1: bigint, stack: OpenSpan[], rows: SpanRows): void {
  const ctx = block.ctx;
  const seg = openSegment(block.payload, ctx);
  const scope: ReadScope = { buf: seg.objects, table: ctx.descriptors.objects, deps: seg.deps };
  const ev = newSpanEvent();
  const readers = ctx.descriptors.objects.types.map((t) => spanReader(t, scope, ev));
  const ticks = new TickConverter(ctx.clock);
  const cursor = new FrameCursor(seg.objects.bytes, ctx.descriptors.objects);
  let skipped = 0;
  for (;;) {
    try {
      if (!cursor.next()) break;
    } catch (e) {
      throw asCorrupt(e, ctx.blockId, 'objects');
    }
    const reader = readers[cursor.typeIndex];
    if (!reader || reader.family !== THREAD_SPAN) {
      skipped++;
      continue;
    }
    try {
      reader.read(cursor.start);
      if (!ticks.convert(ev.lo, ev.hi)) unreadable('time outside the Int64 nanosecond range');
    } catch (e) {
      if (!(e instanceof UnreadableObject)) throw e;
      noteUnreadable(seg.tally, e, `object ${cursor.index} (${cursor.layout!.name})`);
      continue;
    }
    const ns = ticks.value;
    if (ns < r0 || ns > r1) continue;
    const id = block.objectOffset + BigInt(cursor.index);
    if (ev.begin) {
      stack.push({ id, scope: ev.scope, begin: ns });
      continue;
    }
    if (stack.length === 0) {
      rows.push(id, -1n, 1, r0, ns, ev.scope);
      continue;
    }
    const top = stack[stack.length - 1];
    if (top.scope.hash !== ev.scope.hash) {
      throw new MismatchedSpanEnd(ctx.blockId, 'objects', cursor.entryAt, `event ${id} ends span ${ev.scope.name} but the innermost open span is ${top.scope.name}`);
    }
    stack.pop();
    rows.push(top.id, stack.length > 0 ? stack[stack.length - 1].id : -1n, stack.length + 1, top.begin, ns, top.scope);
  }
  reportSegment(ctx, seg.tally, skipped);
}

function report(opts: NativeDecodeOptions | undefined, e: CorruptSegmentError): void {
  if (opts?.onCorruptSegment) opts.onCorruptSegment(e);
  else throw e;
}

function spanBatch(schema: Schema, rows: SpanRows, idx: number[]): RecordBatch {
  const children = schema.fields.map((f): Data => {
    switch (f.name) {
      case 'id':
      case 'parent':
      case 'begin':
      case 'end':
      case 'duration': {
        const col = new Int64Column(f.name === 'begin' || f.name === 'end' ? 'timestamp' : 'int64');
        for (const i of idx) {
          col.appendBigInt(
            f.name === 'id' ? rows.id[i] : f.name === 'parent' ? rows.parent[i] : f.name === 'begin' ? rows.begin[i] : f.name === 'end' ? rows.end[i] : rows.end[i] - rows.begin[i],
          );
        }
        return col.finish();
      }
      case 'depth':
      case 'hash':
      case 'line': {
        const col = new UInt32Column();
        for (const i of idx) col.append(f.name === 'depth' ? rows.depth[i] : f.name === 'hash' ? rows.scope[i].hash : rows.scope[i].line);
        return col.finish();
      }
      case 'name':
      case 'target':
      case 'filename': {
        const col = new Utf8Column();
        const key = f.name;
        for (const i of idx) col.appendString(rows.scope[i][key]);
        return col.finish();
      }
    }
    throw new Error(`thread_spans has no column ${f.name}`);
  });
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: idx.length, children, nullCount: 0 }));
}
