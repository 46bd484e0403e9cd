// The repository root, found by walking up from this file, so tests that read source-tree files
// (protos, .slt files, examples) work from test/**/*.ts and from dist/test/**/*.js alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'contrail') return dir;
    if (dirname(dir) === dir) throw new Error('contrail package.json not found above ' + fileURLToPath(import.meta.url));
  }
}

export const REPO_ROOT = findRepoRoot();
