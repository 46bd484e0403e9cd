#!/usr/bin/env node
// The `contrail` command: dispatches verbs, prints help and version.
import { packageVersion } from '../flightsql/package-root.js';
import { SERVE_FLAGS, UsageError, envName, parseServeArgs } from './config.js';

const MAIN_HELP = `contrail — Arrow Flight SQL analytics over raw telemetry blocks (OTLP and native ingest)

Usage:
  contrail serve [flags]     run ingest (OTLP/HTTP, OTLP/gRPC, native) and the Flight SQL server
  contrail query "SELECT …"  run SQL against a Flight SQL server (see contrail query --help)
  contrail --help            this text;  contrail serve --help  lists every serve flag
  contrail --version         print the version

Not available yet (planned; it does not exist in this build):
  contrail ingest            load OTLP / native files from disk
`;

export function serveHelp(): string {
  const lines: string[] = [
    'Usage: contrail serve [flags]',
    '',
    'Runs OTLP/HTTP + native ingest and OTLP/gRPC ingest on one catalog and blob store.',
    'Every flag has an environment twin CONTRAIL_<NAME>; a flag on the command line wins over it.',
    'Without --api-keys-file or --oidc-issuer, listeners may bind loopback addresses only',
    '(127.0.0.0/8, ::1, localhost) unless --insecure-no-auth is given.',
    '',
    'Flags:',
  ];
  for (const f of SERVE_FLAGS) {
    const left = `  --${f.name}${f.valueName ? ` ${f.valueName}` : ''}`;
    lines.push(left);
    lines.push(`      ${f.description}`);
    lines.push(`      env ${envName(f.name)}; default: ${f.defaultText ?? 'none'}`);
  }
  lines.push('  -h, --help');
  lines.push('      Show this help.');
  lines.push('');
  lines.push('SIGTERM / SIGINT stop accepting, finish in-flight requests, close the stores and exit 0.');
  return lines.join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    if (verb === undefined) {
      process.stderr.write(MAIN_HELP);
      return 2;
    }
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  if (verb === '--version' || verb === '-v' || verb === 'version') {
    process.stdout.write(`contrail ${packageVersion()}\n`);
    return 0;
  }
  if (verb === 'serve') {
    const parsed = parseServeArgs(rest, process.env);
    if (parsed.help) {
      process.stdout.write(serveHelp());
      return 0;
    }
    const { runServe } = await import('./serve.js');
    const code = await runServe(parsed.config, packageVersion());
    // Open client pools or sockets of the stores must not keep a stopped server alive.
    process.exit(code);
  }
  if (verb === 'query') {
    const { runQuery } = await import('./query.js');
    return runQuery(rest, process.env);
  }
  if (verb === 'ingest') {
    throw new UsageError(`'contrail ${verb}' is not implemented yet (planned); see 'contrail --help'`);
  }
  throw new UsageError(`unknown command '${verb}'; see 'contrail --help'`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`contrail: ${err.message}\n`);
      process.exit(2);
    }
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`contrail: ${msg}\n`);
    process.exit(1);
  },
);
