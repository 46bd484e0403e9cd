// Loads every built-in function into the registry.
import './math.js';
import './strings.js';
import './time.js';
import './conditional.js';
import './json.js';
import './aggregates.js';
import './lists.js';
import './list-aggregates.js';
import './intervals.js';
import './planner-internal.js';

export { scalarFunction, aggregateFunction, functionNames } from './registry.js';
