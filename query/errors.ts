// The one error type the engine raises on purpose. Codes follow gRPC names so the Flight SQL layer
// maps them directly; messages are one line, with `line:column` when the offending text is known.

export type QueryErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'UNIMPLEMENTED' | 'RESOURCE_EXHAUSTED' | 'CANCELLED' | 'DATA_LOSS' | 'UNAVAILABLE' | 'INTERNAL';

export interface SqlPosition {
  line: number;
  column: number;
}

export class QueryError extends Error {
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    readonly position?: SqlPosition,
  ) {
    super(position ? `${message} at line ${position.line}, column ${position.column}` : message);
    this.name = 'QueryError';
  }
}

export function invalid(message: string, position?: SqlPosition): QueryError {
  return new QueryError('INVALID_ARGUMENT', message, position);
}

export function notFound(message: string, position?: SqlPosition): QueryError {
  return new QueryError('NOT_FOUND', message, position);
}

/** Unsupported SQL is INVALID_ARGUMENT, not UNIMPLEMENTED: ADBC retries the same SQL on UNIMPLEMENTED. */
export function unsupported(what: string, position?: SqlPosition): QueryError {
  return new QueryError('INVALID_ARGUMENT', `unsupported SQL: ${what}`, position);
}

export function resourcesExhausted(message: string): QueryError {
  return new QueryError('RESOURCE_EXHAUSTED', `resources exhausted: ${message}`);
}

/** Line/column (1-based) of a character offset in `sql`. */
export function positionAt(sql: string, offset: number): SqlPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < sql.length; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Position of the first whole-word occurrence of `word` (case-insensitive, outside string literals),
 * used when the parser gives no location for an identifier. */
export function positionOfWord(sql: string, word: string): SqlPosition | undefined {
  const lower = sql.toLowerCase();
  const w = word.toLowerCase();
  let inString = false;
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i];
    if (c === "'") inString = !inString;
    if (inString) continue;
    if (lower.startsWith(w, i) && !isWordChar(lower[i - 1]) && !isWordChar(lower[i + w.length])) return positionAt(sql, i);
  }
  return undefined;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[a-z0-9_]/.test(c);
}
