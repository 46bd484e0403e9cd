// Native `log` stream segment → `log_entries` record batches (native-format §8.1, §10.1).
// The per-event loop lives in fillBatch, a plain function with locals: inside the generator, values
// shared with closures would be context slots, loaded and stored on every event. Runs of the SDK's
// two event types go through the fused loop (fused-log-events.ts); fillBatch reads the entries it
// stops at with the generic readers.
import type { Data, Dictionary, Int32, RecordBatch, Utf8 } from 'apache-arrow';
import { type DecodeOptions, batchRowsOf } from '../context.js';
import { DictionaryColumn, Int32Column, Int64Column, Utf8Column } from '../columns.js';
import { projectFields } from '../otlp/schemas.js';
import { BatchAssembler } from '../otlp/decode-common.js';
import { FrameCursor, TransitString, UnreadableObject, countEntries, unreadable, type ReadScope } from './transit.js';
import { noteUnreadable, type UnreadableTally } from './dependencies.js';
import { type NativeDecodeContext, asCorrupt, openSegment, reportSegment } from './segment.js';
import { TickConverter } from './ticks.js';
import { EMPTY, logReader, type EventReader, type LogEvent } from './log-readers.js';
import { FusedLogReader, estimateLogEntries, fusedLogLayout, type LogColumns, type LogSizing } from './fused-log-events.js';

/** What fillBatch reads from and reports into, besides the columns. */
interface LogSource {
  blockId: string;
  cursor: FrameCursor;
  readers: ReadonlyArray<EventReader | undefined>;
  ev: LogEvent;
  ticks: TickConverter;
  tally: UnreadableTally;
  skipped: number;
  /** The SDK event types' fused loop, when the stream's descriptors allow it. */
  fused: FusedLogReader | undefined;
}

export function decodeNativeLogs(
  payload: Uint8Array,
  ctx: NativeDecodeContext,
  projection: readonly string[] | null,
  opts?: DecodeOptions,
): Generator<RecordBatch, void, undefined> {
  return decodeLogs(payload, ctx, projection, opts, true);
}

/** decodeNativeLogs; `fused: false` reads every entry through the generic readers (the reference
 * the fused loop is tested against). */
export function* decodeLogs(
  payload: Uint8Array,
  ctx: NativeDecodeContext,
  projection: readonly string[] | null,
  opts: DecodeOptions | undefined,
  fused: boolean,
): Generator<RecordBatch, void, undefined> {
  const fields = projectFields('log_entries', projection);
  const seg = openSegment(payload, ctx);
  const scope: ReadScope = { buf: seg.objects, table: ctx.descriptors.objects, deps: seg.deps };
  const bytes = seg.objects.bytes;
  const out = new BatchAssembler(fields, ctx);
  const batchRows = batchRowsOf(opts);
  const want = new Set(fields.map((f) => f.name));
  const targetField = fields.find((f) => f.name === 'target');
  const cols: LogColumns = {
    time: want.has('time') ? new Int64Column('timestamp') : undefined,
    target: targetField ? new DictionaryColumn(targetField.type as Dictionary<Utf8, Int32>) : undefined,
    level: want.has('level') ? new Int32Column() : undefined,
    // Their bytes are presized below: no default-sized first buffer.
    msg: want.has('msg') ? new Utf8Column(false, 0) : undefined,
    properties: want.has('properties') ? new Utf8Column(false, 0) : undefined,
  };
  const ev: LogEvent = {
    lo: 0, hi: 0, level: 0, target: EMPTY, msgSrc: bytes, msgStart: 0, msgEnd: 0, msgValid: false, msgText: undefined, props: undefined,
  };
  const cursor = new FrameCursor(bytes, ctx.descriptors.objects);
  const ticks = new TickConverter(ctx.clock);
  const layout = fused ? fusedLogLayout(ctx.descriptors.objects) : undefined;
  // Entries in the buffer (a framing pass; with the fused loop, an estimate): each batch's columns
  // are presized.
  const sizing: LogSizing = layout
    ? estimateLogEntries(bytes, layout, seg.deps)
    : { entries: countEntries(bytes, ctx.descriptors.objects), msgBytes: bytes.length, propsBytes: 0 };
  // The fused loop writes messages into the object buffer (openSegment decompressed it for this decode
  // alone), which the batches then keep alive: only when messages are at least half of it.
  const inPlace = layout !== undefined && 2 * sizing.msgBytes >= bytes.length;
  const src: LogSource = {
    blockId: ctx.blockId,
    cursor,
    readers: ctx.descriptors.objects.types.map((t) => logReader(t, scope, ev)),
    ev,
    ticks,
    tally: seg.tally,
    skipped: 0,
    fused: layout && new FusedLogReader(layout, cursor, seg.deps, ticks, inPlace),
  };
  const entries = sizing.entries;
  // Otherwise messages take at most the object buffer's bytes (with the fused loop, about their
  // size): one allocation for the first batch.
  if (!inPlace) cols.msg?.presize(0, Math.min(sizing.msgBytes, 64 * 1024 * 1024));
  const propsPerRow = Math.max(2, sizing.propsBytes / Math.max(1, entries));
  for (;;) {
    const n = Math.max(0, Math.min(entries - (src.cursor.index + 1), batchRows));
    cols.time?.presize(n);
    cols.target?.presize(n);
    cols.level?.presize(n);
    cols.msg?.presize(n);
    cols.properties?.presize(n, Math.ceil(propsPerRow * n));
    const rows = fillBatch(src, cols, batchRows);
    const last = rows < batchRows;
    if (last) reportSegment(ctx, seg.tally, src.skipped);
    if (rows > 0) yield out.batch(rows, (name) => finishColumn(src, cols, name, last));
    if (last) return;
  }
}

function finishColumn(src: LogSource, cols: LogColumns, name: string, last: boolean): Data {
  switch (name) {
    case 'time':
      return cols.time!.finish(last);
    case 'target':
      return cols.target!.finish(last);
    case 'level':
      return cols.level!.finish(last);
    case 'msg': {
      // In place, the next batch's messages go into the object buffer: no new buffer for them.
      const data = cols.msg!.finish(last || src.fused?.messagesInPlace === true);
      src.fused?.messagesTaken(data.values);
      return data;
    }
    case 'properties':
      return cols.properties!.finish(last);
  }
  throw new Error(`native log_entries decoder has no column ${name}`);
}

/** Decodes entries into the columns until `limit` rows or the buffer's end; returns the rows added. */
function fillBatch(src: LogSource, cols: LogColumns, limit: number): number {
  const { cursor, readers, ev, ticks } = src;
  const { time, target, level, msg, properties } = cols;
  // Dictionary code per target string (the dependency's TransitString object); codes restart each batch.
  const targetCodes = new Map<TransitString, number>();
  let lastTarget: TransitString | undefined;
  let lastTargetCode = 0;
  let rows = 0;
  const fused = src.fused;
  fused?.newBatch(msg);
  while (rows < limit) {
    if (fused) {
      rows += fused.run(cols, limit - rows);
      if (rows === limit) break;
    }
    try {
      if (!cursor.next()) break;
    } catch (e) {
      throw asCorrupt(e, src.blockId, 'objects');
    }
    const read = readers[cursor.typeIndex];
    if (!read) {
      src.skipped++;
      continue;
    }
    try {
      read(cursor.start, cursor.end);
      if (!ticks.convert(ev.lo, ev.hi)) unreadable('time outside the Int64 nanosecond range');
    } catch (e) {
      if (!(e instanceof UnreadableObject)) throw e;
      noteUnreadable(src.tally, e, `object ${cursor.index} (${cursor.layout!.name})`);
      continue;
    }
    time?.appendWords(ticks.lo, ticks.hi);
    if (target) {
      if (ev.target !== lastTarget) {
        lastTarget = ev.target;
        let code = targetCodes.get(lastTarget);
        if (code === undefined) {
          code = target.codeOf(lastTarget.bytes, 0, lastTarget.bytes.length);
          targetCodes.set(lastTarget, code);
        }
        lastTargetCode = code;
      }
      target.appendCode(lastTargetCode);
    }
    level?.append(ev.level | 0);
    if (msg) {
      if (ev.msgText !== undefined) msg.appendString(ev.msgText);
      else if (ev.msgValid) msg.appendRaw(ev.msgSrc, ev.msgStart, ev.msgEnd);
      // Copied now, validated per batch in one native pass (and repaired only when invalid).
      else msg.appendUtf8Deferred(ev.msgSrc, ev.msgStart, ev.msgEnd);
    }
    if (properties) {
      if (ev.props) {
        const j = ev.props.jsonBytes();
        properties.appendRaw(j, 0, j.length);
      } else {
        properties.writeByte(0x7b); // {}
        properties.writeByte(0x7d);
        properties.endValue();
      }
    }
    rows++;
  }
  return rows;
}
