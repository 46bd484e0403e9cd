// GetSqlInfo: the ids Contrail advertises, each in the dense-union member the spec (and the JDBC
// driver's casts) require. Exactly 17 ids lie below 508, so Grafana's fixed rows 17–21 are 508–512.
import {
  Bool, DenseUnion, Field, Int32, Int64, List, Map_, RecordBatch, Schema, Struct, Uint32, Utf8, makeData, vectorFromArray,
} from 'apache-arrow';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { functionNames } from '../query/functions/index.js';
import { batchOf } from './arrow-build.js';

const STRING = 0;
const BOOL = 1;
const BIGINT = 2;
const INT32 = 3;
const STRING_LIST = 4;

type SqlInfoValue = [typeof STRING, string] | [typeof BOOL, boolean] | [typeof BIGINT, bigint] | [typeof INT32, number] | [typeof STRING_LIST, string[]];

const UNION_CHILDREN = [
  new Field('string_value', new Utf8(), true),
  new Field('bool_value', new Bool(), true),
  new Field('bigint_value', new Int64(), true),
  new Field('int32_bitmask', new Int32(), true),
  new Field('string_list', new List(new Field('item', new Utf8(), true)), true),
  new Field(
    'int32_to_int32_list_map',
    new Map_(new Field('entries', new Struct<any>([new Field('key', new Int32(), false), new Field('value', new List(new Field('item', new Int32(), true)), true)]), false) as never),
    true,
  ),
];

export const SQL_INFO_SCHEMA = new Schema([
  new Field('info_name', new Uint32(), false),
  new Field('value', new DenseUnion([0, 1, 2, 3, 4, 5], UNION_CHILDREN), false),
]);

const KEYWORDS = [
  'ALL', 'AND', 'AS', 'ASC', 'BETWEEN', 'BY', 'CASE', 'CAST', 'CROSS', 'DESC', 'DESCRIBE', 'DISTINCT', 'ELSE', 'END', 'EXCEPT', 'EXISTS',
  'EXPLAIN', 'FALSE', 'FROM', 'FULL', 'GROUP', 'HAVING', 'ILIKE', 'IN', 'INNER', 'INTERSECT', 'INTERVAL', 'IS', 'JOIN', 'LEFT', 'LIKE',
  'LIMIT', 'NOT', 'NULL', 'NULLS', 'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER', 'RIGHT', 'SELECT', 'SHOW', 'TABLES', 'THEN', 'TIMESTAMP',
  'TRUE', 'UNION', 'USING', 'WHEN', 'WHERE', 'WITH',
];

const DATETIME = /date|time|now|interval|epoch|bin|part|trunc|day|hour|minute|second|month|year|week/;
const NUMERIC = /^(abs|acos|asin|atan|atan2|cbrt|ceil|ceiling|cos|degrees|exp|floor|ln|log|log10|log2|mod|pi|power|pow|radians|random|round|sign|signum|sin|sqrt|tan|trunc|greatest|least|isnan|iszero)$/;
const STRINGS = /^(ascii|btrim|char_length|character_length|chr|concat|concat_ws|contains|ends_with|initcap|left|length|lower|lpad|ltrim|md5|octet_length|regexp_\w+|repeat|replace|reverse|right|rpad|rtrim|split_part|starts_with|strpos|substr|substring|to_hex|translate|trim|upper|uuid|encode|decode|string_\w+)$/;

function functionLists(): { numeric: string[]; string: string[]; system: string[]; datetime: string[] } {
  const { scalar } = functionNames();
  const out = { numeric: [] as string[], string: [] as string[], system: [] as string[], datetime: [] as string[] };
  for (const n of scalar) {
    if (NUMERIC.test(n)) out.numeric.push(n);
    else if (STRINGS.test(n)) out.string.push(n);
    else if (DATETIME.test(n)) out.datetime.push(n);
    else out.system.push(n);
  }
  if (!out.system.includes('view_instance')) out.system.push('view_instance');
  out.system.sort();
  return out;
}

function arrowVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const pkg = join(dirname(require.resolve('apache-arrow')), 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Every advertised id with its value, sorted by id. */
export function sqlInfoValues(serverVersion: string): Map<number, SqlInfoValue> {
  const f = functionLists();
  const entries: [number, SqlInfoValue][] = [
    [0, [STRING, 'Contrail']],
    [1, [STRING, serverVersion]],
    [2, [STRING, arrowVersion()]],
    [3, [BOOL, true]],
    [4, [BOOL, true]],
    [5, [BOOL, false]],
    [8, [INT32, 0]],
    [9, [BOOL, false]],
    [100, [INT32, 0]],
    [500, [BOOL, false]],
    [501, [BOOL, false]],
    [502, [BOOL, false]],
    [503, [INT32, 3]],
    [504, [STRING, '"']],
    [505, [INT32, 0]],
    [506, [BOOL, true]],
    [507, [INT32, 0]],
    [508, [STRING_LIST, KEYWORDS]],
    [509, [STRING_LIST, f.numeric]],
    [510, [STRING_LIST, f.string]],
    [511, [STRING_LIST, f.system]],
    [512, [STRING_LIST, f.datetime]],
    [513, [STRING, '\\']],
    [514, [STRING, '']],
    [515, [BOOL, true]],
    [516, [BOOL, true]],
    [518, [BOOL, true]],
    [519, [BOOL, false]],
    [520, [BOOL, true]],
    [521, [BOOL, true]],
    [522, [INT32, 3]],
    [523, [BOOL, false]],
    [524, [BOOL, false]],
    [525, [INT32, 3]],
    [526, [INT32, 1]],
    [527, [BOOL, false]],
    [528, [INT32, 1]],
    [529, [STRING, 'schema']],
    [530, [STRING, 'procedure']],
    [531, [STRING, '']],
    [532, [BOOL, false]],
    [533, [INT32, 0]],
    [534, [INT32, 0]],
    [535, [INT32, 0]],
    [536, [BOOL, false]],
    [537, [BOOL, false]],
    [538, [INT32, 5]],
    [539, [BOOL, false]],
    [540, [INT32, 3]],
  ];
  for (let id = 541; id <= 561; id++) entries.push([id, id === 556 ? [BOOL, false] : [BIGINT, 0n]]);
  entries.push([563, [BOOL, false]], [564, [INT32, 0]], [565, [BOOL, false]], [566, [BOOL, false]], [567, [INT32, 2]]);
  for (let id = 572; id <= 576; id++) entries.push([id, [BOOL, false]]);
  return new Map(entries.sort((a, b) => a[0] - b[0]));
}

/** The GetSqlInfo batch for the requested ids (empty = all; unknown ids omitted), sorted by id. */
export function sqlInfoBatch(requested: readonly number[], serverVersion: string): RecordBatch {
  const all = sqlInfoValues(serverVersion);
  const ids = (requested.length === 0 ? [...all.keys()] : [...new Set(requested)].filter((id) => all.has(id))).sort((a, b) => a - b);
  const perMember: unknown[][] = [[], [], [], [], [], []];
  const typeIds = new Int8Array(ids.length);
  const offsets = new Int32Array(ids.length);
  ids.forEach((id, i) => {
    const [member, value] = all.get(id)!;
    typeIds[i] = member;
    offsets[i] = perMember[member].length;
    perMember[member].push(value);
  });
  const children = UNION_CHILDREN.map((f, m) => vectorFromArray(perMember[m], f.type).data[0]);
  const union = makeData({ type: SQL_INFO_SCHEMA.fields[1].type as DenseUnion, length: ids.length, nullCount: 0, typeIds, valueOffsets: offsets, children });
  return batchOf(SQL_INFO_SCHEMA, [ids, union]);
}

