// Writes src/openapi-types.ts from the OpenAPI document of the built host (`npm run build` runs this
// after `tsc -b host` and before the full `tsc -b`, so the client compiles against what the host serves). The file is
// rewritten only when it changes, so an unchanged API rebuilds nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderClientTypes } from './render-types.mjs';

const target = new URL('../src/openapi-types.ts', import.meta.url);
const hostDist = new URL('../../host/dist/index.js', import.meta.url);
if (!existsSync(hostDist)) {
  process.stderr.write('client: the host is not built (host/dist/index.js is missing); run `npm run build` at the repository root.\n');
  process.exit(1);
}
const { buildOpenApi } = await import(hostDist.href);
const next = await renderClientTypes(buildOpenApi({ sandbox: true }));
const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
if (current === next) {
  process.stdout.write('client: src/openapi-types.ts is up to date\n');
} else {
  writeFileSync(target, next);
  process.stdout.write('client: src/openapi-types.ts regenerated from the host\'s OpenAPI document\n');
}
