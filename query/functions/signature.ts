// Helpers to declare function signatures.
import { canCoerce } from './coercion.js';
import type { Binding } from './registry.js';
import { isNumeric, typeName, type ScalarType } from '../plan/types.js';

/** Exactly these parameter types (`optional` trailing ones may be omitted). */
export function fixed(name: string, params: ScalarType[], returns: ScalarType, optional = 0) {
  return (argTypes: ScalarType[]): Binding | string => {
    if (argTypes.length > params.length || argTypes.length < params.length - optional) {
      const count = optional ? `${params.length - optional} to ${params.length}` : `${params.length}`;
      return `${name} expects ${count} argument${params.length === 1 ? '' : 's'}, got ${argTypes.length}`;
    }
    for (let i = 0; i < argTypes.length; i++) {
      if (!canCoerce(argTypes[i], params[i])) {
        return `${name} argument ${i + 1} must be ${typeName(params[i])}, got ${typeName(argTypes[i])}`;
      }
    }
    return { args: params.slice(0, argTypes.length), returns };
  };
}

/** One numeric argument kept in its own type (integers stay integers) or read as Float64. */
export function numericUnary(name: string, returns: 'same' | 'float64') {
  return (argTypes: ScalarType[]): Binding | string => {
    if (argTypes.length !== 1) return `${name} expects 1 argument, got ${argTypes.length}`;
    const t = argTypes[0] === 'null' ? 'float64' : argTypes[0];
    if (!isNumeric(t)) return `${name} expects a number, got ${typeName(t)}`;
    const r = returns === 'same' ? t : 'float64';
    return { args: [r], returns: r };
  };
}
