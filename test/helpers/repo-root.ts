// The repository root, so tests that read source-tree files (protos, .slt files, examples) work from
// test/**/*.ts and from dist/test/**/*.js alike.
import { packageRoot } from '../../flightsql/package-root.js';

export const REPO_ROOT = packageRoot();
