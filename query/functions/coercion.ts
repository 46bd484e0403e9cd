// Implicit type coercion shared by operators and function signatures.
import { isInteger, isNumeric, type ScalarType } from '../plan/types.js';

/** The common type two values are compared or combined in; undefined when there is none. */
export function commonType(a: ScalarType, b: ScalarType): ScalarType | undefined {
  if (a === b) return a;
  if (a === 'null') return b;
  if (b === 'null') return a;
  if (isNumeric(a) && isNumeric(b)) {
    if (a === 'float64' || b === 'float64') return 'float64';
    if (a === 'uint64' || b === 'uint64') return a === 'int64' || b === 'int64' ? 'int64' : 'uint64';
    if (a === 'int64' || b === 'int64') return 'int64';
    return 'int64';
  }
  // text meets a typed value: the text is read as that type (timestamp vs RFC 3339 literal)
  if (a === 'utf8' && b !== 'list') return b;
  if (b === 'utf8' && a !== 'list') return a;
  if (a === 'bool' && isInteger(b)) return b;
  if (b === 'bool' && isInteger(a)) return a;
  return undefined;
}

/** Whether a value of type `from` may be passed where `to` is expected without an explicit CAST. */
export function canCoerce(from: ScalarType, to: ScalarType): boolean {
  if (from === to || from === 'null') return true;
  if (isNumeric(from) && to === 'float64') return true;
  if (isInteger(from) && (to === 'int64' || (to === 'uint64' && from.startsWith('u')))) return true;
  if (from === 'int32' && to === 'int32') return true;
  if (from === 'utf8' && (to === 'timestamp' || to === 'interval')) return true;
  return false;
}
