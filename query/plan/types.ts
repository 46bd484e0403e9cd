// The engine's logical types and plan schemas. Types are a small closed set mapped one-to-one to the
// Arrow types the engine emits; view columns of other Arrow types are read into the closest one.
import {
  Bool, DataType, Field, Float64, Int32, Int64, IntervalMonthDayNano, Schema, TimestampNanosecond, Uint32, Uint64, Utf8,
} from 'apache-arrow';

export type ScalarType =
  | 'null'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'float64'
  | 'utf8'
  | 'timestamp'
  | 'interval'
  /** A List value per row (JS array); the field's `arrowType` gives the item type (List<Float64>, …). */
  | 'list';

/** A JS value of a ScalarType: bigint for int64/uint64/timestamp/interval (ns), number, string,
 * boolean, JS arrays for lists; null is SQL NULL. */
export type Scalar = null | boolean | number | bigint | string | unknown[];

export interface PlanField {
  /** Identity of the value: stable through projections, aliases and filters, unique per scan. */
  id: number;
  name: string;
  /** Table name or alias the column can be qualified with. */
  qualifier?: string;
  type: ScalarType;
  nullable: boolean;
  /** The right-hand copy of a `JOIN … USING` column: `*` and unqualified names skip it. */
  usingHidden?: boolean;
  /** Exact Arrow type of a 'list' column (a view's, or a List-valued function's result). */
  arrowType?: DataType;
  /** The provider's time column (first_value(x) / last_value(x) order by it). */
  timeColumn?: boolean;
}

export type PlanSchema = PlanField[];

export function isInteger(t: ScalarType): boolean {
  return t === 'int32' || t === 'int64' || t === 'uint32' || t === 'uint64';
}

export function isNumeric(t: ScalarType): boolean {
  return isInteger(t) || t === 'float64';
}

/** Types stored as BigInt64Array / BigUint64Array. */
export function isBigIntType(t: ScalarType): boolean {
  return t === 'int64' || t === 'uint64' || t === 'timestamp' || t === 'interval';
}

export function arrowTypeOf(f: Pick<PlanField, 'type' | 'arrowType'>): DataType {
  switch (f.type) {
    case 'bool':
      return new Bool();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'uint32':
      return new Uint32();
    case 'uint64':
      return new Uint64();
    case 'float64':
      return new Float64();
    case 'null': // an untyped NULL is emitted as Utf8: every Flight client reads it
    case 'utf8':
      return new Utf8();
    case 'timestamp':
      return new TimestampNanosecond('UTC');
    case 'interval':
      return new IntervalMonthDayNano();
    case 'list':
      if (!f.arrowType) throw new Error('list field without its Arrow type');
      return f.arrowType;
  }
}

export function toArrowSchema(fields: PlanSchema): Schema {
  return new Schema(fields.map((f) => new Field(f.name, arrowTypeOf(f), f.nullable)));
}

export function typeName(t: ScalarType): string {
  switch (t) {
    case 'utf8':
      return 'Utf8';
    case 'timestamp':
      return 'Timestamp(ns, UTC)';
    default:
      return t.charAt(0).toUpperCase() + t.slice(1);
  }
}
