// make_interval(years, months, weeks, days, hours, mins, secs), PostgreSQL's signature with every
// argument optional. Intervals are fixed-length ns here, so non-zero years or months are an error.
import { andValid } from '../exec/kernels.js';
import { fixed } from './signature.js';
import { registerScalar } from './registry.js';
import { invalid } from '../errors.js';
import type { Col } from '../exec/column.js';

const NS_PER_UNIT = [0n, 0n, 7n * 86_400_000_000_000n, 86_400_000_000_000n, 3_600_000_000_000n, 60_000_000_000n];

registerScalar({
  name: 'make_interval',
  bind: fixed('make_interval', ['int64', 'int64', 'int64', 'int64', 'int64', 'int64', 'float64'], 'interval', 7),
  eval(args, n): Col {
    const valid = args.length ? andValid(n, ...args) : null;
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      if (valid && valid[i] === 0) continue;
      let ns = 0n;
      for (let a = 0; a < args.length; a++) {
        if (a === 6) {
          ns += BigInt(Math.round((args[a].values as Float64Array)[i] * 1e9));
          continue;
        }
        const v = (args[a].values as BigInt64Array)[i];
        if (a < 2 && v !== 0n) throw invalid('make_interval: years and months have no fixed length and are not supported');
        ns += v * NS_PER_UNIT[a];
      }
      out[i] = ns;
    }
    return { type: 'interval', length: n, values: out, valid };
  },
});
