#!/usr/bin/env node
// The `create-switchboard` executable (`npm create switchboard …` runs it). It lives outside dist/
// so npm links it even before a build; it runs the built CLI and exits with its code.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('create-switchboard: the package is not built (dist/cli.js is missing); in the repository, run `npm run build` first.\n');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
