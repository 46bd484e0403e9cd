// Arrow schemas of the OTLP views (otlp-mapping §6–§9), as the engine holds them: strings that
// repeat are Dictionary<Utf8, Int32> (see DICTIONARY_COLUMNS); Flight hydrates them to Utf8 unless
// the client asks to preserve dictionaries.
import {
  Schema, Field, Utf8, Int32, Int64, Float64, Dictionary, List, TimestampNanosecond, type DataType,
} from 'apache-arrow';

export type OtlpView = 'log_entries' | 'measures' | 'histograms' | 'otel_spans';

/** Columns stored as Dictionary<Utf8, Int32>: constant per segment (ids, process columns) or drawn
 * from a small set (scope name, metric name/unit, enum texts). */
export const DICTIONARY_COLUMNS: Readonly<Record<OtlpView, readonly string[]>> = {
  log_entries: ['process_id', 'stream_id', 'block_id', 'exe', 'username', 'computer', 'target', 'process_properties'],
  measures: ['process_id', 'stream_id', 'block_id', 'exe', 'username', 'computer', 'target', 'name', 'unit', 'process_properties'],
  histograms: [
    'process_id', 'stream_id', 'block_id', 'exe', 'username', 'computer', 'target', 'name', 'unit', 'kind',
    'temporality', 'process_properties',
  ],
  otel_spans: ['process_id', 'stream_id', 'block_id', 'exe', 'username', 'computer', 'process_properties', 'name', 'kind', 'status'],
};

type Col = [name: string, type: 'utf8' | 'ts' | 'i32' | 'i64' | 'f64' | 'list_f64' | 'list_i64', nullable?: boolean];

const IDENT: Col[] = [
  ['process_id', 'utf8'], ['stream_id', 'utf8'], ['block_id', 'utf8'], ['insert_time', 'ts'],
  ['exe', 'utf8'], ['username', 'utf8'], ['computer', 'utf8'],
];

const COLUMNS: Record<OtlpView, Col[]> = {
  log_entries: [
    ...IDENT, ['time', 'ts'], ['target', 'utf8'], ['level', 'i32'], ['msg', 'utf8'], ['properties', 'utf8'],
    ['process_properties', 'utf8'],
  ],
  measures: [
    ...IDENT, ['time', 'ts'], ['target', 'utf8'], ['name', 'utf8'], ['unit', 'utf8'], ['value', 'f64'],
    ['properties', 'utf8'], ['process_properties', 'utf8'],
  ],
  histograms: [
    ...IDENT, ['time', 'ts'], ['start_time', 'ts', true], ['target', 'utf8'], ['name', 'utf8'], ['unit', 'utf8'],
    ['kind', 'utf8'], ['temporality', 'utf8'], ['count', 'i64'], ['sum', 'f64', true], ['min', 'f64', true],
    ['max', 'f64', true], ['scale', 'i32', true], ['zero_count', 'i64', true], ['bucket_bounds', 'list_f64'],
    ['bucket_counts', 'list_i64'], ['properties', 'utf8'], ['process_properties', 'utf8'],
  ],
  otel_spans: [
    ...IDENT, ['process_properties', 'utf8'], ['trace_id', 'utf8'], ['span_id', 'utf8'],
    ['parent_span_id', 'utf8', true], ['start_time', 'ts'], ['end_time', 'ts'], ['duration', 'i64'], ['name', 'utf8'],
    ['kind', 'utf8'], ['status', 'utf8'], ['status_message', 'utf8', true], ['properties', 'utf8'], ['events', 'utf8'],
    ['links', 'utf8'],
  ],
};

/** Dictionary ids are unique across the four views so batches of different views never clash. */
const DICTIONARY_ID_BASE: Record<OtlpView, number> = { log_entries: 100, measures: 200, histograms: 300, otel_spans: 400 };

function arrowType(view: OtlpView, name: string, t: Col[1]): DataType {
  switch (t) {
    case 'utf8': {
      const i = DICTIONARY_COLUMNS[view].indexOf(name);
      return i < 0 ? new Utf8() : new Dictionary(new Utf8(), new Int32(), DICTIONARY_ID_BASE[view] + i);
    }
    case 'ts':
      return new TimestampNanosecond('UTC');
    case 'i32':
      return new Int32();
    case 'i64':
      return new Int64();
    case 'f64':
      return new Float64();
    case 'list_f64':
      return new List(new Field('item', new Float64(), false));
    case 'list_i64':
      return new List(new Field('item', new Int64(), false));
  }
}

function buildSchema(view: OtlpView): Schema {
  return new Schema(COLUMNS[view].map(([name, t, nullable]) => new Field(name, arrowType(view, name, t), nullable ?? false)));
}

export const OTLP_VIEW_SCHEMAS: Readonly<Record<OtlpView, Schema>> = {
  log_entries: buildSchema('log_entries'),
  measures: buildSchema('measures'),
  histograms: buildSchema('histograms'),
  otel_spans: buildSchema('otel_spans'),
};

export const logEntriesSchema = OTLP_VIEW_SCHEMAS.log_entries;
export const measuresSchema = OTLP_VIEW_SCHEMAS.measures;
export const histogramsSchema = OTLP_VIEW_SCHEMAS.histograms;
export const otelSpansSchema = OTLP_VIEW_SCHEMAS.otel_spans;

/** The fields a projection asks for, in the projection's order (null = every column). Unknown or
 * repeated names are an error: the planner resolves names before calling a decoder. */
export function projectFields(view: OtlpView, projection: readonly string[] | null): Field[] {
  const schema = OTLP_VIEW_SCHEMAS[view];
  if (projection === null) return schema.fields.slice();
  const seen = new Set<string>();
  return projection.map((name) => {
    const f = schema.fields.find((x) => x.name === name);
    if (!f) throw new Error(`${view} has no column ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new Error(`column ${JSON.stringify(name)} projected twice`);
    seen.add(name);
    return f;
  });
}
