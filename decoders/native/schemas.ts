// Arrow schemas of the native-only views (native-format §10.3, §10.4). log_entries and measures use
// the shared schemas of decoders/otlp/schemas.ts.
import { Field, Int64, Schema, TimestampNanosecond, Uint32, Utf8 } from 'apache-arrow';

export type NativeView = 'thread_spans' | 'async_events';

const ts = () => new TimestampNanosecond('UTC');

export const threadSpansSchema = new Schema([
  new Field('id', new Int64(), false),
  new Field('parent', new Int64(), false),
  new Field('depth', new Uint32(), false),
  new Field('hash', new Uint32(), false),
  new Field('begin', ts(), false),
  new Field('end', ts(), false),
  new Field('duration', new Int64(), false),
  new Field('name', new Utf8(), false),
  new Field('target', new Utf8(), false),
  new Field('filename', new Utf8(), false),
  new Field('line', new Uint32(), false),
]);

export const asyncEventsSchema = new Schema([
  new Field('stream_id', new Utf8(), false),
  new Field('block_id', new Utf8(), false),
  new Field('time', ts(), false),
  new Field('event_type', new Utf8(), false),
  new Field('span_id', new Int64(), false),
  new Field('parent_span_id', new Int64(), false),
  new Field('depth', new Uint32(), false),
  new Field('hash', new Uint32(), false),
  new Field('name', new Utf8(), false),
  new Field('filename', new Utf8(), false),
  new Field('target', new Utf8(), false),
  new Field('line', new Uint32(), false),
]);

export const NATIVE_VIEW_SCHEMAS: Readonly<Record<NativeView, Schema>> = {
  thread_spans: threadSpansSchema,
  async_events: asyncEventsSchema,
};

/** The projected fields in projection order (null = all); unknown or repeated names throw. */
export function projectNativeFields(view: NativeView, projection: readonly string[] | null): Field[] {
  const schema = NATIVE_VIEW_SCHEMAS[view];
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
