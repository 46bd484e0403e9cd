// EXPLAIN text of a logical plan: one line per node, indented by depth.
import { exprText } from './expr.js';
import { inputsOf, type LogicalPlan, type WindowCall } from './logical.js';
import { formatTimestamp } from '../functions/time-text.js';

export async function explainLines(plan: LogicalPlan, depth = 0): Promise<string[]> {
  const pad = '  '.repeat(depth);
  let line: string;
  switch (plan.kind) {
    case 'scan': {
      const parts = [`Scan: ${plan.table} projection=[${plan.schema.map((f) => f.name).join(', ')}]`];
      if (plan.filters.length) parts.push(`filters=[${plan.filters.map(exprText).join(', ')}]`);
      if (plan.timeRange) {
        const b = plan.timeRange.begin === undefined ? '-inf' : formatTimestamp(plan.timeRange.begin);
        const e = plan.timeRange.end === undefined ? '+inf' : formatTimestamp(plan.timeRange.end);
        parts.push(`time_range=[${b}, ${e}]`);
      }
      if (plan.limit !== undefined) parts.push(`limit=${plan.limit}`);
      if (plan.provider.describeScan) {
        parts.push(await plan.provider.describeScan({ projection: plan.schema.map((f) => f.name), filters: plan.filters, limit: plan.limit, timeRange: plan.timeRange }));
      }
      line = parts.join(' ');
      break;
    }
    case 'one_row': line = 'OneRow'; break;
    case 'filter': line = `Filter: ${exprText(plan.predicate)}`; break;
    case 'project': line = `Projection: ${plan.exprs.map((e, i) => `${exprText(e)} AS ${plan.schema[i].name}`).join(', ')}`; break;
    case 'aggregate': line = `Aggregate: groupBy=[${plan.groupBy.map(exprText).join(', ')}] aggr=[${plan.aggregates.map((a) => a.key).join(', ')}]`; break;
    case 'sort': line = `Sort: ${plan.keys.map((k) => `${exprText(k.expr)} ${k.descending ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}${plan.fetch !== undefined ? ` fetch=${plan.fetch}` : ''}`; break;
    case 'limit': line = `Limit: skip=${plan.skip} fetch=${plan.fetch ?? 'none'}`; break;
    case 'union': line = 'Union'; break;
    case 'alias': line = `SubqueryAlias: ${plan.alias}`; break;
    case 'join': {
      const on = plan.leftKeys.map((k, i) => `${exprText(k)} = ${exprText(plan.rightKeys[i])}`).join(', ');
      line = `HashJoin: ${plan.joinType.toUpperCase()}${on ? ` on=[${on}]` : ' (cross)'}${plan.residual ? ` filter=${exprText(plan.residual)}` : ''}`;
      break;
    }
    case 'window': line = `Window: ${plan.calls.map((c) => `${c.name}(${c.args.map(exprText).join(', ')}) OVER (${windowText(c)}) AS #${c.id}`).join(', ')}`; break;
  }
  const out = [pad + line];
  const inputs = inputsOf(plan);
  for (const i of inputs) out.push(...(await explainLines(i, depth + 1)));
  return out;
}

function windowText(c: WindowCall): string {
  const parts: string[] = [];
  if (c.partitionBy.length) parts.push(`PARTITION BY ${c.partitionBy.map(exprText).join(', ')}`);
  if (c.orderBy.length) parts.push(`ORDER BY ${c.orderBy.map((k) => `${exprText(k.expr)}${k.descending ? ' DESC' : ''}`).join(', ')}`);
  if (c.frame) parts.push(`ROWS BETWEEN ${boundText(c.frame.start, 'PRECEDING')} AND ${boundText(c.frame.end, 'FOLLOWING')}`);
  return parts.join(' ');
}

function boundText(offset: number | null, unbounded: string): string {
  if (offset === null) return `UNBOUNDED ${unbounded}`;
  if (offset === 0) return 'CURRENT ROW';
  return offset < 0 ? `${-offset} PRECEDING` : `${offset} FOLLOWING`;
}
