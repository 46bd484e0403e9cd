// What every listener derives once from IngestDeps.
import { budgetFor, resolveLimits, type InFlightBudget, type IngestLimits } from './limits.js';
import { DEFAULT_RETRY_AFTER_SECONDS, type IngestDeps } from './service.js';

export interface IngestContext {
  deps: IngestDeps;
  limits: IngestLimits;
  budget: InFlightBudget;
  retryAfterSeconds: number;
}

export function ingestContext(deps: IngestDeps): IngestContext {
  const limits = resolveLimits(deps.limits);
  return {
    deps,
    limits,
    budget: budgetFor(deps, limits.maxInFlightBytes),
    retryAfterSeconds: Math.max(1, Math.ceil(deps.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS)),
  };
}
