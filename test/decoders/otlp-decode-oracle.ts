// Test oracle for the OTLP view decoders: rows computed the straightforward way — protobufjs
// decode, then the otlp-mapping rules written plainly — plus a reader that turns decoded Arrow
// batches back into rows, and generators of realistic payloads for fuzzing and benchmarks.
import type { RecordBatch, Vector } from 'apache-arrow';
import { DataType } from 'apache-arrow';
import { anyValueToJson, jsonObject, type AnyValue } from '../../decoders/otlp/any-value.js';
import type { DecodeContext } from '../../decoders/context.js';
import type { OtlpEncoding, OtlpSignal } from '../../decoders/types.js';
import { indexOtlp } from '../../decoders/otlp/index.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Row = Record<string, unknown>;

export const CTX: DecodeContext = {
  blockId: '9ba3201e-8395-8c92-8027-50a35cb4e634',
  processId: '92267645-021b-5d0f-960b-c74719552658',
  streamId: '0f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0',
  insertTime: 1_700_000_000_123_456_789n,
  process: {
    process_id: '92267645-021b-5d0f-960b-c74719552658',
    exe: 'shop/checkout',
    username: 'svc',
    realname: 'svc',
    computer: 'host-1',
    distro: 'linux',
    cpu_brand: '',
    tsc_frequency: 1_000_000_000n,
    start_time: 0n,
    start_ticks: 0n,
    parent_process_id: null,
    insert_time: 0n,
    properties: { 'otel.resource.service.name': 'checkout', 'otel.resource.host.name': 'host-1', 'otel.resource.é': 'x' },
  },
};

const TWO_63 = 1n << 63n;
const u64 = (v: unknown): bigint => {
  const x = v === undefined || v === null ? 0n : BigInt(v as string);
  return x >= TWO_63 ? 0n : x;
};
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? new Uint8Array()).toString('hex');

export function toAnyValue(v: Obj | undefined | null): AnyValue {
  if (!v) return { kind: 'empty' };
  if (v.kvlistValue !== undefined)
    return { kind: 'kvlist', value: (v.kvlistValue.values ?? []).map((kv: Obj) => [kv.key ?? '', toAnyValue(kv.value)]) };
  if (v.arrayValue !== undefined) return { kind: 'array', value: (v.arrayValue.values ?? []).map(toAnyValue) };
  if (v.bytesValue !== undefined) return { kind: 'bytes', value: v.bytesValue };
  if (v.doubleValue !== undefined) return { kind: 'double', value: v.doubleValue };
  if (v.intValue !== undefined) return { kind: 'int', value: BigInt(v.intValue) };
  if (v.boolValue !== undefined) return { kind: 'bool', value: v.boolValue };
  if (v.stringValue !== undefined) return { kind: 'string', value: v.stringValue };
  return { kind: 'empty' };
}

const attrEntries = (attrs: Obj[] | undefined): Array<[string, string]> =>
  (attrs ?? []).map((kv) => [kv.key ?? '', anyValueToJson(toAnyValue(kv.value))]);

function scopeExtras(sl: Obj): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const scope = sl.scope ?? {};
  if (scope.name) out.push(['otel.scope.name', JSON.stringify(scope.name)]);
  if (scope.version) out.push(['otel.scope.version', JSON.stringify(scope.version)]);
  for (const kv of scope.attributes ?? []) {
    const v = toAnyValue(kv.value);
    if (v.kind !== 'empty') out.push([`otel.scope.attr.${kv.key ?? ''}`, anyValueToJson(v)]);
  }
  if (sl.schemaUrl) out.push(['otel.scope.schema_url', JSON.stringify(sl.schemaUrl)]);
  return out;
}

function bodyText(v: AnyValue): string {
  switch (v.kind) {
    case 'empty':
      return '';
    case 'string':
      return v.value;
    case 'double':
      return String(v.value);
    case 'bytes':
      return Buffer.from(v.value).toString('base64');
    case 'array':
    case 'kvlist':
      return anyValueToJson(v);
    default:
      return String(v.value);
  }
}

function levelOf(sev: number | undefined): number {
  const s = sev ?? 0;
  if (s >= 1 && s <= 24) return 6 - Math.floor((s - 1) / 4);
  return 4;
}

export function processColumns(ctx: DecodeContext): Row {
  return {
    process_id: ctx.processId,
    stream_id: ctx.streamId,
    block_id: ctx.blockId,
    insert_time: ctx.insertTime,
    exe: ctx.process?.exe ?? '',
    username: ctx.process?.username ?? '',
    computer: ctx.process?.computer ?? '',
    process_properties: jsonObject(Object.entries(ctx.process?.properties ?? {}).map(([k, v]) => [k, JSON.stringify(v)])),
  };
}

/** log_entries rows of a protobufjs-decoded ResourceLogs (otlp-mapping §6). */
export function expectedLogRows(rl: Obj, ctx: DecodeContext): Row[] {
  const rows: Row[] = [];
  for (const sl of rl.scopeLogs ?? []) {
    const extras = scopeExtras(sl);
    for (const lr of sl.logRecords ?? []) {
      const t = u64(lr.timeUnixNano);
      const o = u64(lr.observedTimeUnixNano);
      const props = [...attrEntries(lr.attributes), ...extras];
      if (lr.traceId?.length === 16) props.push(['otel.trace_id', JSON.stringify(hex(lr.traceId))]);
      if (lr.spanId?.length === 8) props.push(['otel.span_id', JSON.stringify(hex(lr.spanId))]);
      if (lr.severityText) props.push(['otel.severity_text', JSON.stringify(lr.severityText)]);
      if (lr.eventName) props.push(['otel.event_name', JSON.stringify(lr.eventName)]);
      rows.push({
        ...processColumns(ctx),
        time: t !== 0n ? t : o !== 0n ? o : ctx.insertTime,
        target: sl.scope?.name ?? '',
        level: levelOf(lr.severityNumber),
        msg: bodyText(toAnyValue(lr.body)),
        properties: jsonObject(props),
      });
    }
  }
  return rows;
}

/** Rows of decoded batches, every value read exactly (timestamps and int64 as bigint). */
export function batchesToRows(batches: Iterable<RecordBatch>): Row[] {
  const rows: Row[] = [];
  for (const b of batches) {
    const cols = b.schema.fields.map((f, i) => [f.name, b.getChildAt(i)!] as const);
    for (let i = 0; i < b.numRows; i++) {
      const row: Row = {};
      for (const [name, v] of cols) row[name] = exactValue(v, i);
      rows.push(row);
    }
  }
  return rows;
}

function exactValue(v: Vector, i: number): unknown {
  if (!v.isValid(i)) return null;
  const t = v.type;
  if (DataType.isTimestamp(t) || (DataType.isInt(t) && t.bitWidth === 64)) {
    // Vector.get converts timestamps to ms numbers; read the BigInt64Array directly.
    let k = i;
    for (const d of v.data) {
      if (k < d.length) return (d.values as BigInt64Array)[k];
      k -= d.length;
    }
  }
  if (DataType.isList(t)) {
    const inner = v.get(i) as Vector;
    const out: unknown[] = [];
    for (let j = 0; j < inner.length; j++) out.push(exactValue(inner, j));
    return out;
  }
  return v.get(i);
}

/** The stored segments of a request payload, located by the ingest indexer. */
export function segmentsOf(signal: OtlpSignal, encoding: OtlpEncoding, payload: Uint8Array): Uint8Array[] {
  return indexOtlp(signal, encoding, payload).segments.map((s) => payload.subarray(s.byteOffset, s.byteOffset + s.byteLength));
}

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUSES = ['UNSET', 'OK', 'ERROR'];

/** otel_spans rows of a protobufjs-decoded ResourceSpans (otlp-mapping §9). */
export function expectedSpanRows(rs: Obj, ctx: DecodeContext): Row[] {
  const rows: Row[] = [];
  for (const ss of rs.scopeSpans ?? []) {
    const extras = scopeExtras(ss);
    for (const sp of ss.spans ?? []) {
      const start = u64(sp.startTimeUnixNano);
      const end = u64(sp.endTimeUnixNano);
      if (sp.traceId?.length !== 16 || sp.spanId?.length !== 8 || start === 0n || end === 0n) continue;
      const props = [...attrEntries(sp.attributes), ...extras];
      if (sp.traceState) props.push(['otel.trace_state', JSON.stringify(sp.traceState)]);
      const parent: Uint8Array | undefined = sp.parentSpanId;
      rows.push({
        ...processColumns(ctx),
        trace_id: hex(sp.traceId),
        span_id: hex(sp.spanId),
        parent_span_id: parent?.length === 8 && parent.some((b) => b !== 0) ? hex(parent) : null,
        start_time: start,
        end_time: end,
        duration: end - start,
        name: sp.name ?? '',
        kind: KINDS[sp.kind ?? 0] ?? 'UNSPECIFIED',
        status: STATUSES[sp.status?.code ?? 0] ?? 'UNSET',
        status_message: sp.status?.message ? sp.status.message : null,
        properties: jsonObject(props),
        events: '[' + (sp.events ?? []).map((e: Obj) =>
          `{"attributes":${jsonObject(attrEntries(e.attributes))},"name":${JSON.stringify(e.name ?? '')},"time":${u64(e.timeUnixNano)}}`).join(',') + ']',
        links: '[' + (sp.links ?? []).map((l: Obj) =>
          `{"attributes":${jsonObject(attrEntries(l.attributes))},"span_id":"${hex(l.spanId)}","trace_id":"${hex(l.traceId)}"}`).join(',') + ']',
      });
    }
  }
  return rows;
}

const measureBase = (ctx: DecodeContext, sm: Obj, p: Obj, name: string, unit: string, value: number): Row => ({
  ...processColumns(ctx), time: u64(p.timeUnixNano), target: sm.scope?.name ?? '', name, unit, value,
});

/** measures rows of a protobufjs-decoded ResourceMetrics (otlp-mapping §7). */
export function expectedMeasureRows(rm: Obj, ctx: DecodeContext): Row[] {
  const rows: Row[] = [];
  for (const sm of rm.scopeMetrics ?? []) {
    for (const m of sm.metrics ?? []) {
      const name = m.name ?? '';
      const unit = m.unit ?? '';
      for (const [kind, data] of [['gauge', m.gauge], ['sum', m.sum]] as const) {
        for (const p of data?.dataPoints ?? []) {
          if ((p.flags ?? 0) & 1 || u64(p.timeUnixNano) === 0n) continue;
          if (p.asDouble === undefined && p.asInt === undefined) continue;
          const extra: Array<[string, string]> = [['otel.metric.kind', JSON.stringify(kind)]];
          if (kind === 'sum') extra.push(['otel.metric.aggregation_temporality', String(data.aggregationTemporality ?? 0)], ['otel.metric.is_monotonic', String(!!data.isMonotonic)]);
          const value = p.asDouble !== undefined ? p.asDouble : Number(BigInt(p.asInt));
          rows.push({ ...measureBase(ctx, sm, p, name, unit, value), properties: jsonObject([...attrEntries(p.attributes), ...extra]) });
        }
      }
      for (const p of m.summary?.dataPoints ?? []) {
        if ((p.flags ?? 0) & 1 || u64(p.timeUnixNano) === 0n || BigInt(p.count ?? 0) >= TWO_63) continue;
        const props = (q?: number) => jsonObject([...attrEntries(p.attributes), ['otel.metric.kind', '"summary"'],
          ...(q === undefined ? [] : [['otel.summary.quantile', anyValueToJson({ kind: 'double', value: q })] as [string, string]])]);
        const qs: Obj[] = p.quantileValues ?? [];
        rows.push({ ...measureBase(ctx, sm, p, name + '_count', '', Number(BigInt(p.count ?? 0))), properties: props() });
        rows.push({ ...measureBase(ctx, sm, p, name + '_sum', unit, p.sum ?? 0), properties: props() });
        const min = qs.find((q) => (q.quantile ?? 0) === 0);
        const max = qs.find((q) => q.quantile === 1);
        if (min) rows.push({ ...measureBase(ctx, sm, p, name + '_min', unit, min.value ?? 0), properties: props() });
        if (max) rows.push({ ...measureBase(ctx, sm, p, name + '_max', unit, max.value ?? 0), properties: props() });
        for (const q of qs) rows.push({ ...measureBase(ctx, sm, p, name, unit, q.value ?? 0), properties: props(q.quantile ?? 0) });
      }
    }
  }
  return rows;
}

/** §8.3 written out with BigInt arithmetic, independent of the decoder's version. */
function expToExplicit(p: Obj): { bounds: number[]; counts: bigint[] } {
  const scale = p.scale ?? 0;
  const base = (i: number) => 2 ** (i * 2 ** -scale);
  const B: number[] = [];
  const C: bigint[] = [];
  const push = (b: number, c: bigint) => {
    if (B.length && !(b > B[B.length - 1])) C[C.length - 1] += c;
    else { B.push(b); C.push(c); }
  };
  const neg: bigint[] = (p.negative?.bucketCounts ?? []).map(BigInt);
  const pos: bigint[] = (p.positive?.bucketCounts ?? []).map(BigInt);
  const on = p.negative?.offset ?? 0;
  const op = p.positive?.offset ?? 0;
  const zt = p.zeroThreshold ?? 0;
  if (neg.length) {
    push(-base(on + neg.length), 0n);
    for (let k = neg.length - 1; k >= 0; k--) push(-base(on + k), neg[k]);
  }
  push(zt, BigInt(p.zeroCount ?? 0));
  if (pos.length) {
    if (base(op) > zt) push(base(op), 0n);
    pos.forEach((c, k) => push(base(op + k + 1), c));
  }
  C.push(0n);
  return { bounds: B, counts: C };
}

/** histograms rows of a protobufjs-decoded ResourceMetrics (otlp-mapping §8). */
export function expectedHistogramRows(rm: Obj, ctx: DecodeContext): Row[] {
  const rows: Row[] = [];
  const temporality = (t: number | undefined) => ['unspecified', 'delta', 'cumulative'][t ?? 0] ?? 'unspecified';
  for (const sm of rm.scopeMetrics ?? []) {
    for (const m of sm.metrics ?? []) {
      const common = (p: Obj, kind: string, t: number | undefined): Row => ({
        ...processColumns(ctx), time: u64(p.timeUnixNano), start_time: u64(p.startTimeUnixNano) || null,
        target: sm.scope?.name ?? '', name: m.name ?? '', unit: m.unit ?? '', kind, temporality: temporality(t),
        count: BigInt(p.count ?? 0), sum: p.sum ?? null, min: p.min ?? null, max: p.max ?? null,
      });
      for (const p of m.histogram?.dataPoints ?? []) {
        const counts: bigint[] = (p.bucketCounts ?? []).map(BigInt);
        const bounds: number[] = p.explicitBounds ?? [];
        if ((p.flags ?? 0) & 1 || u64(p.timeUnixNano) === 0n || BigInt(p.count ?? 0) >= TWO_63) continue;
        if ((counts.length && counts.length !== bounds.length + 1) || bounds.some((b, i) => i > 0 && !(b > bounds[i - 1]))) continue;
        rows.push({
          ...common(p, 'histogram', m.histogram.aggregationTemporality), scale: null, zero_count: null,
          bucket_bounds: counts.length ? bounds : [], bucket_counts: counts,
          properties: jsonObject(attrEntries(p.attributes)), process_properties: processColumns(ctx).process_properties,
        });
      }
      for (const p of m.exponentialHistogram?.dataPoints ?? []) {
        const scale = p.scale ?? 0;
        if ((p.flags ?? 0) & 1 || u64(p.timeUnixNano) === 0n || BigInt(p.count ?? 0) >= TWO_63 || scale < -10 || scale > 20) continue;
        const { bounds, counts } = expToExplicit(p);
        if (!bounds.every(Number.isFinite)) continue;
        rows.push({
          ...common(p, 'exponential_histogram', m.exponentialHistogram.aggregationTemporality), scale,
          zero_count: BigInt(p.zeroCount ?? 0), bucket_bounds: bounds, bucket_counts: counts,
          properties: jsonObject(attrEntries(p.attributes)), process_properties: processColumns(ctx).process_properties,
        });
      }
    }
  }
  return rows;
}
