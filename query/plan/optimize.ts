// Rewrite rules run after binding: filter pushdown (through projections, aliases, sorts and group
// keys, into scans), time-range extraction for scans, projection pruning, LIMIT pushdown (into scans
// and as top-k into sorts).
import { columnIds, splitConjuncts, conjunction, type Expr } from './expr.js';
import { inputsOf, withInputs, type LogicalPlan } from './logical.js';
import type { TimeRange } from '../types.js';

export function optimize(plan: LogicalPlan): LogicalPlan {
  let p = pushFilters(plan);
  p = extractTimeRanges(p);
  p = pruneScanColumns(p, collectReferencedIds(p));
  p = pushLimits(p);
  return p;
}

function idsOf(p: LogicalPlan): Set<number> {
  return new Set(p.schema.map((f) => f.id));
}

function subset(a: Set<number>, b: Set<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Moves each conjunct as far down as the columns it reads exist; scans also receive them as hints. */
function pushFilters(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'filter') {
    const pushed = pushInto(plan.input, splitConjuncts(plan.predicate));
    return pushed;
  }
  if (plan.kind === 'join') return pushJoin(plan, []);
  return withInputs(plan, inputsOf(plan).map(pushFilters));
}

function filterOver(input: LogicalPlan, conjuncts: Expr[]): LogicalPlan {
  const predicate = conjunction(conjuncts);
  return predicate ? { kind: 'filter', input, predicate, schema: input.schema } : input;
}

function pushInto(child: LogicalPlan, conjuncts: Expr[]): LogicalPlan {
  switch (child.kind) {
    case 'filter':
      return pushInto(child.input, [...conjuncts, ...splitConjuncts(child.predicate)]);
    case 'scan':
      // providers may use the conjuncts; the filter stays above since they need not apply them exactly
      return filterOver({ ...child, filters: [...child.filters, ...conjuncts] }, conjuncts);
    case 'project':
    case 'alias':
    case 'sort':
    case 'aggregate': {
      const below = idsOf(child.kind === 'aggregate' ? child.input : child.input);
      const allowed = child.kind === 'aggregate' ? new Set(child.groupBy.filter((g) => g.kind === 'column').map((g) => (g as { id: number }).id)) : below;
      const down: Expr[] = [];
      const keep: Expr[] = [];
      for (const c of conjuncts) (subset(columnIds(c), allowed) && subset(columnIds(c), below) ? down : keep).push(c);
      const input = down.length ? pushInto(child.input, down) : pushFilters(child.input);
      return filterOver({ ...child, input } as LogicalPlan, keep);
    }
    case 'join':
      return pushJoin(child, conjuncts);
    default:
      return filterOver(pushFilters(child), conjuncts);
  }
}

/** WHERE conjuncts over a join go to the side whose columns they read; over an inner join an
 * equality between the two sides becomes a join key. A LEFT join's ON conjuncts on the right side
 * alone pre-filter the build side. */
function pushJoin(join: Extract<LogicalPlan, { kind: 'join' }>, conjuncts: Expr[]): LogicalPlan {
  // a FULL join NULL-extends both sides: no conjunct may move below it, or into its build side
  if (join.joinType === 'full') return filterOver({ ...join, left: pushFilters(join.left), right: pushFilters(join.right) }, conjuncts);
  const leftIds = idsOf(join.left);
  const rightIds = idsOf(join.right);
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const keep: Expr[] = [];
  const leftKeys = [...join.leftKeys];
  const rightKeys = [...join.rightKeys];
  const inner = join.joinType === 'inner';
  for (const c of conjuncts) {
    const ids = columnIds(c);
    if (subset(ids, leftIds)) toLeft.push(c);
    else if (inner && subset(ids, rightIds)) toRight.push(c);
    else if (inner && c.kind === 'binary' && c.op === '=' && sidesOf(c.left, c.right, leftIds, rightIds, leftKeys, rightKeys)) continue;
    else keep.push(c);
  }
  const residual: Expr[] = [];
  for (const c of join.residual ? splitConjuncts(join.residual) : []) {
    const ids = columnIds(c);
    if (subset(ids, rightIds)) toRight.push(c);
    else if (inner && subset(ids, leftIds)) toLeft.push(c);
    else residual.push(c);
  }
  const left = toLeft.length ? pushInto(join.left, toLeft) : pushFilters(join.left);
  const right = toRight.length ? pushInto(join.right, toRight) : pushFilters(join.right);
  const out: LogicalPlan = { ...join, left, right, leftKeys, rightKeys, residual: conjunction(residual), schema: join.schema };
  return filterOver(out, keep);
}

/** Adds `a = b` as a join key pair when one side reads only left columns and the other only right. */
function sidesOf(a: Expr, b: Expr, leftIds: Set<number>, rightIds: Set<number>, leftKeys: Expr[], rightKeys: Expr[]): boolean {
  const ai = columnIds(a);
  const bi = columnIds(b);
  if (ai.size === 0 || bi.size === 0) return false;
  if (subset(ai, leftIds) && subset(bi, rightIds)) {
    leftKeys.push(a);
    rightKeys.push(b);
    return true;
  }
  if (subset(bi, leftIds) && subset(ai, rightIds)) {
    leftKeys.push(b);
    rightKeys.push(a);
    return true;
  }
  return false;
}

/** Inclusive [begin, end] on `column` implied by the conjuncts (time vs timestamp literal). */
export function timeRangeOf(filters: Expr[], column: string): TimeRange | undefined {
  let begin: bigint | undefined;
  let end: bigint | undefined;
  for (const f of filters) {
    if (f.kind !== 'binary') continue;
    let { left, right } = f;
    let op = f.op;
    if (right.kind === 'column' && left.kind === 'literal') {
      [left, right] = [right, left];
      op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as Record<string, typeof op>)[op] ?? op;
    }
    if (left.kind !== 'column' || left.name !== column || right.kind !== 'literal' || right.type !== 'timestamp') continue;
    const v = right.value as bigint | null;
    if (v === null) continue;
    const lo = (x: bigint) => (begin = begin === undefined || x > begin ? x : begin);
    const hi = (x: bigint) => (end = end === undefined || x < end ? x : end);
    switch (op) {
      case '>=': lo(v); break;
      case '>': lo(v + 1n); break;
      case '<=': hi(v); break;
      case '<': hi(v - 1n); break;
      case '=': lo(v); hi(v); break;
    }
  }
  if (begin === undefined && end === undefined) return undefined;
  return { begin, end };
}

function extractTimeRanges(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'scan') {
    const column = plan.provider.timeColumn;
    const range = column ? timeRangeOf(plan.filters, column) : undefined;
    return range ? { ...plan, timeRange: range } : plan;
  }
  return withInputs(plan, inputsOf(plan).map(extractTimeRanges));
}

function collectReferencedIds(plan: LogicalPlan, into = new Set<number>()): Set<number> {
  const add = (e: Expr) => columnIds(e, into);
  switch (plan.kind) {
    case 'filter': add(plan.predicate); break;
    case 'project': plan.exprs.forEach(add); break;
    case 'aggregate': plan.groupBy.forEach(add); plan.aggregates.forEach((a) => a.args.forEach(add)); break;
    case 'sort': plan.keys.forEach((k) => add(k.expr)); break;
    case 'union': plan.inputs.forEach((i) => i.schema.forEach((f) => into.add(f.id))); break;
    case 'join': plan.leftKeys.forEach(add); plan.rightKeys.forEach(add); if (plan.residual) add(plan.residual); break;
    case 'window': plan.calls.forEach((c) => { c.args.forEach(add); c.partitionBy.forEach(add); c.orderBy.forEach((k) => add(k.expr)); }); break;
    default: break;
  }
  for (const i of inputsOf(plan)) collectReferencedIds(i, into);
  return into;
}

/** Scans read only the columns some node references (ids are unique per scan). */
function pruneScanColumns(plan: LogicalPlan, used: Set<number>): LogicalPlan {
  if (plan.kind === 'scan') {
    let schema = plan.schema.filter((f) => used.has(f.id));
    // count(*)-style scans still need row counts: keep the cheapest column, the time column if any
    if (schema.length === 0 && plan.schema.length > 0) {
      schema = [plan.schema.find((f) => f.name === plan.provider.timeColumn) ?? plan.schema[0]];
    }
    return { ...plan, schema };
  }
  return withInputs(plan, inputsOf(plan).map((i) => pruneScanColumns(i, used)));
}

function pushLimits(plan: LogicalPlan): LogicalPlan {
  if (plan.kind === 'limit' && plan.fetch !== null) {
    const want = plan.skip + plan.fetch;
    return { ...plan, input: limitBelow(pushLimits(plan.input), want) };
  }
  return withInputs(plan, inputsOf(plan).map(pushLimits));
}

/** Passes "at most n rows are needed" down through row-preserving nodes. */
function limitBelow(p: LogicalPlan, n: number): LogicalPlan {
  switch (p.kind) {
    case 'scan':
      return { ...p, limit: p.limit === undefined ? n : Math.min(p.limit, n) };
    case 'project':
    case 'alias':
      return { ...p, input: limitBelow(p.input, n) } as LogicalPlan;
    case 'sort':
      return { ...p, fetch: p.fetch === undefined ? n : Math.min(p.fetch, n) };
    case 'union':
      return { ...p, inputs: p.inputs.map((i) => limitBelow(i, n)) };
    default:
      return p;
  }
}
