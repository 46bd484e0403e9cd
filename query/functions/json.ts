// Access to the JSON properties text (`properties`, `process_properties`): keys sorted, values text.
import { mapStrings } from '../exec/kernels.js';
import { stringsOf, type Col } from '../exec/column.js';
import { fixed } from './signature.js';
import { registerScalar } from './registry.js';

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function asText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Value of `key` in each row's JSON object, as text; NULL when absent or not an object. Runs once per
 * distinct properties text (dictionary entry or repeated value) for a constant key. */
function getKey(props: Col, keys: Col, n: number): Col {
  const keyText = stringsOf(keys);
  const constantKey = keys.valid === null && keyText.every((k) => k === keyText[0]);
  if (constantKey && n > 0) {
    const key = keyText[0];
    const cache = new Map<string, string | null>();
    return mapStrings(props, 'utf8', (s) => {
      let r = cache.get(s);
      if (r === undefined) {
        r = asText(parseObject(s)?.[key]);
        cache.set(s, r);
      }
      return r;
    });
  }
  const texts = stringsOf(props);
  const out = new Array<string>(n).fill('');
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if ((props.valid && !props.valid[i]) || (keys.valid && !keys.valid[i])) continue;
    const r = asText(parseObject(texts[i])?.[keyText[i]]);
    if (r !== null) {
      out[i] = r;
      valid[i] = 1;
    }
  }
  return { type: 'utf8', length: n, values: out, valid };
}

registerScalar({
  name: 'property_get',
  bind: fixed('property_get', ['utf8', 'utf8'], 'utf8'),
  eval: ([props, keys], n) => getKey(props, keys, n),
});

registerScalar({
  name: 'json_extract_path_text',
  bind: fixed('json_extract_path_text', ['utf8', 'utf8'], 'utf8'),
  eval: ([props, keys], n) => getKey(props, keys, n),
}, 'json_get_str');
