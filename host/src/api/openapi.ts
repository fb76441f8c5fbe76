/**
 * The OpenAPI 3.1 document of the host, served at `/openapi.json`: generated from the operation
 * table (`operations.ts`) and its zod schemas, never written by hand. Requests are converted in
 * zod's `input` mode (a field with a default is optional, as the caller sees it), responses in
 * `output` mode (what the host sends). A schema with an `id` becomes a component and is referenced.
 * @module
 */
import { z } from 'zod';
import { API_SCOPES } from './api-scopes.js';
import { OPERATIONS, withStandardErrors, type Operation, type OperationArea } from './operations.js';

/** Which operations a host serves. */
export interface OpenApiOptions {
  /**
   * The names of the features the host mounted (`outbound`, `media`, `consent`, `compliance`,
   * `analytics`, `events`, `console`); default: every built-in feature.
   */
  features?: readonly string[];
  /** Whether the host runs in sandbox mode (its `/sandbox` routes are served); default false. */
  sandbox?: boolean;
}

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

/** The built-in features, whose operations a host without options serves. */
const BUILT_IN_FEATURES = ['events', 'outbound', 'media', 'consent', 'compliance', 'analytics', 'console', 'assignment', 'integrations'] as const;

/**
 * Whether an operation of this area is served by a host with these options.
 * @param area - the operation's area
 * @param options - the host's features and mode
 * @returns true when the host mounts it
 */
export function servesArea(area: OperationArea, options: OpenApiOptions = {}): boolean {
  if (area === 'core' || area === 'webhooks') return true;
  if (area === 'sandbox') return options.sandbox === true;
  return (options.features ?? BUILT_IN_FEATURES).includes(area);
}

/**
 * The operations a host with these options serves.
 * @param options - the host's features and mode
 * @returns them, in the table's order
 */
export function servedOperations(options: OpenApiOptions = {}): Operation[] {
  return OPERATIONS.filter((op) => servesArea(op.area, options));
}

/**
 * Converts an Express path to an OpenAPI one.
 * @param path - `/v1/conversations/:id`
 * @returns `/v1/conversations/{id}`
 */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Collects the components the converted schemas refer to, per side, and names them once. */
class Components {
  private readonly defs: Record<Io, Map<string, Json>> = { input: new Map(), output: new Map() };

  /**
   * The JSON Schema of one zod schema, its named parts moved to the components.
   * @param schema - a request or response schema
   * @param io - `input` for requests, `output` for responses
   * @returns the schema, referring to components by `$ref`
   */
  convert(schema: z.ZodType, io: Io): Json {
    const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
    const { $schema: _schema, $defs, ...rest } = converted;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, Json>)) this.defs[io].set(id, def);
    return rest;
  }

  /**
   * The component's name: its id; a request-side component whose id a different response-side
   * component also has is suffixed `Input`.
   */
  private nameOf(io: Io, id: string): string {
    if (io === 'output') return id;
    const out = this.defs.output.get(id);
    return out === undefined || JSON.stringify(out) === JSON.stringify(this.defs.input.get(id)) ? id : `${id}Input`;
  }

  /**
   * Rewrites a converted schema's `#/$defs/` references to the components.
   * @param value - a converted schema
   * @param io - the side it was converted on
   * @returns the rewritten copy
   */
  link(value: unknown, io: Io): unknown {
    if (Array.isArray(value)) return value.map((v) => this.link(v, io));
    if (value === null || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/components/schemas/${this.nameOf(io, v.slice('#/$defs/'.length))}` : this.link(v, io);
    }
    return out;
  }

  /** Every component, linked. */
  all(): Json {
    const out: Json = {};
    for (const io of ['output', 'input'] as const) {
      for (const [id, def] of this.defs[io]) out[this.nameOf(io, id)] = this.link(def, io);
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** The parameters of one location from an object schema's properties. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header', components: Components): Json[] {
  if (!schema) return [];
  const converted = components.convert(schema, 'input');
  const properties = (converted.properties ?? {}) as Record<string, Json>;
  const required = new Set((converted.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name, in: where, required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: components.link(rest, 'input'),
    };
  });
}

const SECURITY: Record<Operation['security'], Json[]> = {
  apiKey: [{ bearer: [] }],
  consoleSession: [{ consoleSession: [] }],
  metricsToken: [{}, { metricsToken: [] }],
  none: [],
};

function operationObject(op: Operation, components: Components): Json {
  const parameters = [
    ...parametersOf(op.params, 'path', components),
    ...parametersOf(op.query, 'query', components),
    ...parametersOf(op.headers, 'header', components),
  ];
  const contentOf = (content: Readonly<Record<string, z.ZodType>>, io: Io): Json => Object.fromEntries(Object.entries(content)
    .map(([type, schema]) => [type, { schema: components.link(components.convert(schema, io), io) }]));
  const responses = Object.fromEntries(Object.entries(withStandardErrors(op)).map(([status, r]) => [status, {
    description: r.description,
    ...(r.content ? { content: contentOf(r.content, 'output') } : {}),
  }]));
  return {
    operationId: op.operationId,
    tags: [op.area],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: SECURITY[op.security],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: op.body.required, content: contentOf(op.body.content, 'input') } } : {}),
    responses,
  };
}

/**
 * Builds the document of the operations a host serves.
 * @param options - the host's features and whether it runs in sandbox mode
 * @returns the OpenAPI 3.1 object
 */
export function buildOpenApi(options: OpenApiOptions = {}): Record<string, unknown> {
  const components = new Components();
  const served = servedOperations(options);
  // a first pass meets every component, so a reference is named knowing both sides
  for (const op of served) operationObject(op, components);
  const paths: Record<string, Json> = {};
  for (const op of served) {
    const path = openApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operationObject(op, components) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard host API', version: '1',
      description: 'Conversations, messages, contacts, consent and dead letters of one tenant (chosen by the API key); the agent console\'s API; platform webhooks at /webhooks/{channel}/{account}; the sandbox\'s routes when the host runs in sandbox mode. Every error is { error: { code, message, details } }.',
    },
    security: SECURITY.apiKey,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: `A tenant API key (from the config, \`switchboard keys create\` or POST /v1/api-keys) carrying scopes: ${API_SCOPES.join(', ')}. Each operation needs one (see the integrator guide); a plain config key has every scope but messages:send-as-agent.` },
        consoleSession: { type: 'apiKey', in: 'cookie', name: 'sb_console_session', description: 'The console\'s session (POST /console/api/login); a change also sends the CSRF token in X-CSRF-Token' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The config\'s metricsToken, when one is set' },
      },
      schemas: components.all(),
    },
    paths,
  };
}
