// `cpu` stream segments → `async_events` rows (native-format §10.4): one row per async span begin
// or end event, in buffer order.
import { makeData, RecordBatch, Schema, Struct, type Data } from 'apache-arrow';
import { batchRowsOf } from '../context.js';
import { Int64Column, Utf8Column } from '../columns.js';
import { FrameCursor, UnreadableObject, unreadable, type ReadScope } from './transit.js';
import { noteUnreadable } from './dependencies.js';
import { type NativeDecodeContext, asCorrupt, openSegment, reportSegment } from './segment.js';
import { TickConverter } from './ticks.js';
import { ASYNC_SPAN, newSpanEvent, spanReader } from './span-events.js';
import { projectNativeFields } from './schemas.js';
import { UInt32Column } from './uint32-column.js';
import type { NativeDecodeOptions } from './decode-thread-spans.js';
import { CorruptSegmentError } from '../context.js';

/** One segment's async events. */
export function* decodeNativeAsyncEvents(
  payload: Uint8Array,
  ctx: NativeDecodeContext,
  projection: readonly string[] | null,
  opts?: NativeDecodeOptions,
): Generator<RecordBatch, void, undefined> {
  const fields = projectNativeFields('async_events', projection);
  const schema = new Schema(fields);
  const want = new Set(fields.map((f) => f.name));
  const batchRows = batchRowsOf(opts);
  const begin = opts?.timeRange?.begin;
  const end = opts?.timeRange?.end;
  const seg = openSegment(payload, ctx);
  const scope: ReadScope = { buf: seg.objects, table: ctx.descriptors.objects, deps: seg.deps };
  const ev = newSpanEvent();
  const readers = ctx.descriptors.objects.types.map((t) => spanReader(t, scope, ev));
  const ticks = new TickConverter(ctx.clock);

  const cols = {
    stream_id: want.has('stream_id') ? new Utf8Column() : undefined,
    block_id: want.has('block_id') ? new Utf8Column() : undefined,
    time: want.has('time') ? new Int64Column('timestamp') : undefined,
    event_type: want.has('event_type') ? new Utf8Column() : undefined,
    span_id: want.has('span_id') ? new Int64Column('int64') : undefined,
    parent_span_id: want.has('parent_span_id') ? new Int64Column('int64') : undefined,
    depth: want.has('depth') ? new UInt32Column() : undefined,
    hash: want.has('hash') ? new UInt32Column() : undefined,
    name: want.has('name') ? new Utf8Column() : undefined,
    filename: want.has('filename') ? new Utf8Column() : undefined,
    target: want.has('target') ? new Utf8Column() : undefined,
    line: want.has('line') ? new UInt32Column() : undefined,
  };
  let rows = 0;
  let skipped = 0;
  const flush = (): RecordBatch => {
    const length = rows;
    rows = 0;
    const children = fields.map((f): Data => (cols[f.name as keyof typeof cols] as { finish(): Data }).finish());
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length, children, nullCount: 0 }));
  };

  const cursor = new FrameCursor(seg.objects.bytes, ctx.descriptors.objects);
  for (;;) {
    try {
      if (!cursor.next()) break;
    } catch (e) {
      throw asCorrupt(e, ctx.blockId, 'objects');
    }
    const reader = readers[cursor.typeIndex];
    if (!reader || reader.family !== ASYNC_SPAN) {
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
    if (begin !== undefined || end !== undefined) {
      const ns = ticks.value;
      if ((begin !== undefined && ns < begin) || (end !== undefined && ns > end)) continue;
    }
    cols.stream_id?.appendString(ctx.streamId);
    cols.block_id?.appendString(ctx.blockId);
    cols.time?.appendWords(ticks.lo, ticks.hi);
    cols.event_type?.appendString(ev.begin ? 'begin' : 'end');
    cols.span_id?.appendWords(ev.spanId.lo, ev.spanId.hi);
    cols.parent_span_id?.appendWords(ev.parentSpanId.lo, ev.parentSpanId.hi);
    cols.depth?.append(ev.depth);
    cols.hash?.append(ev.scope.hash);
    cols.name?.appendString(ev.scope.name);
    cols.filename?.appendString(ev.scope.filename);
    cols.target?.appendString(ev.scope.target);
    cols.line?.append(ev.scope.line);
    if (++rows === batchRows) yield flush();
  }
  reportSegment(ctx, seg.tally, skipped);
  if (rows > 0) yield flush();
}

/** The async events of a process: every segment of its `cpu` streams, one after the other. */
export function* decodeAsyncEvents(
  blocks: Iterable<{ payload: Uint8Array; ctx: NativeDecodeContext }>,
  projection: readonly string[] | null,
  opts?: NativeDecodeOptions,
): Generator<RecordBatch, void, undefined> {
  for (const b of blocks) {
    try {
      yield* decodeNativeAsyncEvents(b.payload, b.ctx, projection, opts);
    } catch (e) {
      if (e instanceof CorruptSegmentError && opts?.onCorruptSegment) opts.onCorruptSegment(e);
      else throw e;
    }
  }
}
