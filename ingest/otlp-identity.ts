// OTLP process and stream identity and their catalog rows (otlp-mapping §4.2-4.5). Ids follow
// Micromegas' derivation so the same resources map to the same processes in both systems.
import { uuidv5 } from '../lake/ids.js';
import type { ProcessRow, StreamRow } from '../lake/types.js';
import type { OtlpSignal } from '../decoders/types.js';
import { compareUtf8 } from '../decoders/otlp/any-value.js';
import { parseRfc3339Ns } from '../decoders/rfc3339.js';

export { parseRfc3339Ns };

const PROCESS_NAMESPACE = '80a447b8-fcdd-42a6-a613-f6c8719cd5fe';
const STREAM_NAMESPACE = 'fe93bacf-e851-4cf6-8526-05f8454b3488';
const SEP = '\x1f';

const OWNER_KEYS = ['process.owner', 'process.user.name', 'process.real_user.name', 'user.name'];

type Field = { key: string; raw?: boolean } | 'start' | 'owner';
// The 31 identity fields of §4.2, in order.
const IDENTITY_FIELDS: Field[] = [
  { key: 'host.id' }, { key: 'host.name' }, { key: 'process.pid', raw: true }, 'start',
  { key: 'service.namespace' }, { key: 'service.name' }, { key: 'service.instance.id' }, 'owner',
  { key: 'os.type' }, { key: 'os.version' }, { key: 'os.name' }, { key: 'os.description' },
  { key: 'os.build_id' }, { key: 'host.arch' }, { key: 'host.type' }, { key: 'host.image.id' },
  { key: 'host.image.name' }, { key: 'host.image.version' }, { key: 'host.cpu.model.id' },
  { key: 'host.cpu.model.name' }, { key: 'host.cpu.family' }, { key: 'host.cpu.vendor.id' },
  { key: 'host.cpu.stepping' }, { key: 'host.cpu.cache.l2.size' }, { key: 'service.version' },
  { key: 'telemetry.sdk.name' }, { key: 'telemetry.sdk.language' }, { key: 'telemetry.sdk.version' },
  { key: 'process.runtime.name' }, { key: 'process.runtime.version' }, { key: 'process.runtime.description' },
];

/** Trims surrounding whitespace and lowercases ASCII A–Z only (not JS toLowerCase). */
export function norm(s: string): string {
  return s.trim().replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The first attribute with exactly this key, or "" when there is none. */
function attr(attrs: Array<[string, string]>, key: string): string {
  for (const [k, v] of attrs) if (k === key) return v;
  return '';
}

function firstNonEmpty(attrs: Array<[string, string]>, keys: string[]): string {
  for (const k of keys) {
    const v = attr(attrs, k);
    if (v !== '') return v;
  }
  return '';
}

const startAttr = (attrs: Array<[string, string]>) => firstNonEmpty(attrs, ['process.creation.time', 'process.start_time']);
const ownerAttr = (attrs: Array<[string, string]>) => firstNonEmpty(attrs, OWNER_KEYS);

/** The identity key of §4.2: 31 fields joined by U+001F. */
export function otlpIdentityKey(resourceAttributes: Array<[string, string]>): string {
  return IDENTITY_FIELDS.map((f) => {
    if (f === 'start') return startAttr(resourceAttributes);
    if (f === 'owner') return norm(ownerAttr(resourceAttributes));
    const v = attr(resourceAttributes, f.key);
    return f.raw ? v : norm(v);
  }).join(SEP);
}

/** §4.2: deterministic process id of a resource, within the credential's write scope ("" = none). */
export function otlpProcessId(resourceAttributes: Array<[string, string]>, scope: string): string {
  const ns = scope === '' ? PROCESS_NAMESPACE : uuidv5(PROCESS_NAMESPACE, Buffer.from(scope, 'utf8'));
  return uuidv5(ns, Buffer.from(otlpIdentityKey(resourceAttributes), 'utf8'));
}

/** §4.3: one stream per (process, signal). */
export function otlpStreamId(processId: string, signal: OtlpSignal): string {
  return uuidv5(STREAM_NAMESPACE, Buffer.from(`${processId.toLowerCase()}${SEP}${signal}`, 'utf8'));
}

/** §4.4: the processes row registered by the first segment of this process. */
export function otlpProcessRow(
  resourceAttributes: Array<[string, string]>,
  scope: string,
  segmentBeginTime: bigint,
  insertTime: bigint,
): ProcessRow {
  const a = (k: string) => attr(resourceAttributes, k);
  const namespace = a('service.namespace');
  const owner = ownerAttr(resourceAttributes);
  const start = parseRfc3339Ns(startAttr(resourceAttributes).trim()) ?? segmentBeginTime;
  const props = new Map<string, string>();
  for (const [k, v] of resourceAttributes) props.set(`otel.resource.${k}`, v);
  const properties: Record<string, string> = {};
  for (const k of [...props.keys()].sort(compareUtf8)) properties[k] = props.get(k)!;
  return {
    process_id: otlpProcessId(resourceAttributes, scope),
    exe: namespace !== '' ? `${namespace}/${a('service.name')}` : a('service.name'),
    username: owner,
    realname: owner,
    computer: a('host.name'),
    distro: a('os.description'),
    cpu_brand: a('host.cpu.model.name'),
    tsc_frequency: 1_000_000_000n,
    start_time: start,
    start_ticks: start,
    parent_process_id: null,
    insert_time: insertTime,
    properties,
  };
}

const STREAM_TAGS: Record<OtlpSignal, string> = { logs: 'log', metrics: 'metrics', traces: 'trace' };

/** §4.5: the streams row of a (process, signal). */
export function otlpStreamRow(processId: string, signal: OtlpSignal, insertTime: bigint): StreamRow {
  return {
    stream_id: otlpStreamId(processId, signal),
    process_id: processId,
    tags: [STREAM_TAGS[signal]],
    properties: {},
    format: `otlp/v1/${signal}`,
    dependencies_metadata: null,
    objects_metadata: null,
    insert_time: insertTime,
  };
}
