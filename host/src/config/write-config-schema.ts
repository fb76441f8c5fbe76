/**
 * Writes the config's JSON Schema for editors to `host/schema/switchboard.config.schema.json`
 * (run after changing a config schema: `npx tsx host/src/config/write-config-schema.ts`).
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { CONFIG_JSON_SCHEMA_FILE, hostConfigJsonSchemaText } from './config-json-schema.js';

await writeFile(CONFIG_JSON_SCHEMA_FILE, hostConfigJsonSchemaText());
process.stdout.write(`wrote ${CONFIG_JSON_SCHEMA_FILE}\n`);
