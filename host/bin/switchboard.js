#!/usr/bin/env node
// The `switchboard` executable. npm links a package's bin at install time, and only when the file
// exists then: in a fresh clone `npm install` runs before the build, so a bin pointing into dist/
// was never linked and `npx switchboard` fetched an unrelated package of that name from the
// registry. This file is in the repository, so the link is always made; it runs the built CLI.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('switchboard: @switchboard/host is not built (dist/cli.js is missing); in the repository, run `npm run build` first.\n');
  process.exit(1);
}
const { main, processSignals } = await import(cli.href);
// SIGINT and SIGTERM are handled here, not left to Node's default: `start` closes its server and
// store and the process exits (the default, or a handler that only began stopping, left a host
// listening when `npx switchboard start` was told to stop). Nothing is spawned: a .ts config is
// loaded in this process (tsx or Node's type stripping), so there is no child to forward a signal to.
await main(process.argv.slice(2), processSignals());
