/**
 * How a request's input meets its schema: one parse per body or query, every problem listed with
 * its path (`content.media.url`, `recipients[3].userId`), unknown keys named, and a guard on the
 * parsed JSON's depth and size that runs before any schema sees it.
 * @module
 */
import { SwitchboardError } from '@switchboard/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { measureJson } from '../safe-json.js';
import { IdempotencyHeadersSchema } from './schemas.js';

/** One thing wrong with the input. */
export interface Problem {
  /** Where: a dotted path with array indexes (`content.buttons[2].title`), `body` for the whole body. */
  field: string;
  /** What is wrong with it. */
  message: string;
}

/** At most this many problems are listed; the count of the others is given. */
export const MAX_PROBLEMS = 100;

/**
 * Input that does not meet its schema: 400 `VALIDATION_FAILED` with `details.problems` naming
 * every problem (`details.field` is the first one's field).
 */
export class RequestValidationError extends SwitchboardError {
  /** @param problems - each bad field and what is wrong with it */
  constructor(readonly problems: Problem[]) {
    const listed = problems.slice(0, MAX_PROBLEMS);
    const more = problems.length - listed.length;
    const summary = listed.slice(0, 5).map((p) => `${p.field} ${p.message}`).join('; ');
    super('VALIDATION_FAILED', `invalid request: ${summary}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`, false, {
      details: { field: listed[0]?.field ?? 'body', problems: listed, ...(more > 0 ? { unlisted: more } : {}) },
    });
  }
}

/**
 * Formats a schema path the way the API's errors name fields.
 * @param path - keys and indexes
 * @param root - the name of the empty path
 * @returns e.g. `recipients[0].parameters[1].text`
 */
export function fieldOf(path: readonly PropertyKey[], root = 'body'): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? root : out;
}

/**
 * Turns zod's issues into the API's problems: an unknown key becomes a problem of its own path.
 * @param issues - `ZodError.issues`
 * @param root - the name of the empty path
 * @returns the problems, in the order found
 */
export function problemsOf(issues: readonly z.core.$ZodIssue[], root = 'body'): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const chosen = issue.code === 'invalid_union' ? unionOptionOf(issue) : undefined;
    if (chosen) {
      // a union (a string or an object…) whose input is of one option's type: that option's problems
      out.push(...problemsOf(chosen.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })), root));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: fieldOf([...issue.path, key], root), message: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      out.push({ field: fieldOf(issue.path, root), message: 'is required' });
    } else {
      out.push({ field: fieldOf(issue.path, root), message: issue.message });
    }
  }
  return out;
}

/**
 * The issues of the one option of a failed union whose type the input had (the others failed at
 * their root with `invalid_type`), so a problem is named by its path rather than "Invalid input".
 * @param issue - an `invalid_union` issue
 * @returns that option's issues, or undefined when no option or several took the input's type
 */
function unionOptionOf(issue: z.core.$ZodIssueInvalidUnion): readonly z.core.$ZodIssue[] | undefined {
  const typed = issue.errors.filter((option) => option.length > 0 && !option.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  return typed.length === 1 ? typed[0] : undefined;
}

/**
 * Parses input with its schema.
 * @param schema - the body's or query's schema
 * @param input - the parsed JSON body or the query object
 * @param root - how the whole input is named in problems (`body`, `query`)
 * @returns the schema's output: a new value holding only what the schema declares
 * @throws RequestValidationError naming every problem
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new RequestValidationError(problemsOf(result.error.issues, root));
}

/**
 * Parses a request's JSON body; an absent body (no content type, nothing sent) is `{}`.
 * @param schema - the body's schema
 * @param req - the request
 * @returns the parsed body
 * @throws RequestValidationError naming every problem
 */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseInput(schema, req.body === undefined ? {} : req.body, 'body');
}

/**
 * Parses a request's query string.
 * @param schema - the query's schema (string values)
 * @param req - the request
 * @returns the parsed query
 * @throws RequestValidationError naming every problem
 */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseInput(schema, { ...(req.query as Record<string, unknown>) }, 'query');
}

/**
 * Parses a request's path parameters.
 * @param schema - the parameters' schema (`IdParamsSchema`…)
 * @param req - the request
 * @returns the parsed parameters
 * @throws RequestValidationError naming every bad parameter
 */
export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  return parseInput(schema, { ...req.params }, 'params');
}

/**
 * Parses a request's headers with a schema keyed by the headers' canonical names
 * (`Idempotency-Key`): Node lower-cases the names, the document shows them as written, and a
 * problem names the header as written.
 * @param schema - the headers' schema (an open object: a request carries many other headers)
 * @param req - the request
 * @returns the parsed headers, keyed as the schema names them
 * @throws RequestValidationError naming every bad header
 */
export function parseHeaders<S extends z.ZodObject>(schema: S, req: Pick<Request, 'headers'>): z.output<S> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = req.headers[key.toLowerCase()];
    if (value !== undefined) input[key] = value;
  }
  return parseInput(schema, input, 'headers');
}

/**
 * A request's `Idempotency-Key` header, checked by its schema (1 to 255 characters) — the one
 * reading of it for every route that takes one (`POST /v1/messages`, a conversation's messages, the
 * console's send).
 * @param req - the request
 * @returns the key, or undefined when the request has none
 * @throws RequestValidationError when it is empty or too long
 */
export function idempotencyKeyOf(req: Pick<Request, 'headers'>): string | undefined {
  return parseHeaders(IdempotencyHeadersSchema, req)['Idempotency-Key'];
}

/** Bounds of {@link jsonShapeGuard}. */
export interface JsonShapeLimits {
  /** Deepest nesting of objects and arrays (default 32). */
  maxDepth?: number;
  /** Values in the whole body (default 200,000). */
  maxNodes?: number;
  /** Items of the longest array (default 10,000). */
  maxArray?: number;
}

/** The default body bounds: deeper than any request body the API declares, far below what hurts. */
export const DEFAULT_JSON_LIMITS: Required<JsonShapeLimits> = { maxDepth: 32, maxNodes: 200_000, maxArray: 10_000 };

/**
 * Middleware after the JSON body parser: a body nested too deep, with too many values or too long
 * an array is refused with 400 before any schema (or anything else) walks it. The walk is
 * iterative, so a 500,000-level body costs no stack.
 * @param limits - depth, value count and array length
 * @returns the middleware
 */
export function jsonShapeGuard(limits: JsonShapeLimits = {}): RequestHandler {
  const { maxDepth, maxNodes, maxArray } = { ...DEFAULT_JSON_LIMITS, ...limits };
  return (req: Request, _res: Response, next: NextFunction): void => {
    const body: unknown = req.body;
    if (body === null || typeof body !== 'object') { next(); return; }
    const shape = measureJson(body, { depth: maxDepth, nodes: maxNodes });
    const problems: Problem[] = [];
    if (shape.depth > maxDepth) problems.push({ field: 'body', message: `nests deeper than ${maxDepth} levels` });
    if (shape.nodes > maxNodes) problems.push({ field: 'body', message: `holds more than ${maxNodes} values` });
    if (shape.longestArray > maxArray) problems.push({ field: 'body', message: `holds an array of more than ${maxArray} items` });
    next(problems.length > 0 ? new RequestValidationError(problems) : undefined);
  };
}
