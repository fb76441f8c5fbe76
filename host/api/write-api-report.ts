/**
 * Rewrites the checked-in API reports (`host/api/*.api.md`) from the sources:
 * `npx tsx host/api/write-api-report.ts`. Run it when a change to the public surface is meant,
 * and review the reports' diff with the change.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiReports, HOST_API, REPORT_DIR } from './api-report.js';

for (const [file, text] of apiReports(HOST_API)) {
  writeFileSync(join(REPORT_DIR, file), text);
  process.stdout.write(`wrote host/api/${file}\n`);
}
