/**
 * The JSON Schema editors use to check and complete `switchboard.config.json` (and, through
 * `$schema`, any JSON config), generated from the config's zod schemas: zod's own
 * `toJSONSchema` in input mode (what an integrator writes, defaults optional), with what JSON
 * cannot describe (functions) left open, and every string also allowed as a secret reference
 * `{ env: 'NAME' }`. Checked in at `host/schema/switchboard.config.schema.json`; a test fails when
 * it differs from what the schema generates.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HostConfigSchema } from './config-schema.js';

/** Where the generated schema is checked in. */
export const CONFIG_JSON_SCHEMA_FILE = fileURLToPath(new URL('../../schema/switchboard.config.schema.json', import.meta.url));

/** The command that writes {@link CONFIG_JSON_SCHEMA_FILE} again. */
export const WRITE_CONFIG_JSON_SCHEMA = 'npx tsx host/src/config/write-config-schema.ts';

const ENV_REF = {
  type: 'object',
  description: 'A secret taken from the environment when the config is loaded.',
  properties: {
    env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'The environment variable.' },
    default: { type: 'string', description: 'Used when the variable is unset.' },
  },
  required: ['env'],
  additionalProperties: false,
} as const;

/**
 * Generates the config's JSON Schema.
 * @returns the schema (draft 2020-12)
 */
export function hostConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(HostConfigSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      // the loader resolves { env: 'NAME' } before it validates: wherever a string goes, so may one
      if (jsonSchema.type !== 'string' || jsonSchema.const !== undefined) return;
      const own = { ...jsonSchema };
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
      jsonSchema.anyOf = [own, { $ref: '#/$defs/EnvRef' }];
    },
  }) as Record<string, unknown>;
  return { ...schema, $defs: { ...(schema.$defs as Record<string, unknown> | undefined), EnvRef: ENV_REF } };
}

/**
 * The file's text: the schema as indented JSON with a final newline.
 * @returns what {@link CONFIG_JSON_SCHEMA_FILE} holds when it is current
 */
export function hostConfigJsonSchemaText(): string {
  return `${JSON.stringify(hostConfigJsonSchema(), null, 2)}\n`;
}
