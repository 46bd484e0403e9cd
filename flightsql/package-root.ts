// The installed contrail package's root directory (the one whose package.json is named "contrail"),
// found by walking up from this file: the same answer from source (tsx) and from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { dir: string; version: string } | undefined;

function find(): { dir: string; version: string } {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
      if (json.name === 'contrail') return (cached = { dir, version: json.version ?? 'unknown' });
    }
    if (dirname(dir) === dir) throw new Error('contrail package.json not found above ' + fileURLToPath(import.meta.url));
  }
}

/** Absolute path of the package root (holds package.json, proto/, examples/). */
export function packageRoot(): string {
  return find().dir;
}

/** The package.json version. */
export function packageVersion(): string {
  return find().version;
}
