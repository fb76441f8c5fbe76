/**
 * Safe JSON parsing and narrow readers for webhook bodies: every failure is a
 * {@link MalformedPayloadError}, never a TypeError.
 * @module
 */
import { MalformedPayloadError } from '../errors.js';

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * Parses a webhook body as a JSON object.
 * @param body - raw bytes
 * @returns the object
 * @throws MalformedPayloadError when the bytes are not UTF-8 JSON or not an object
 */
export function parseJsonObject(body: Buffer | string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (cause) {
    throw new MalformedPayloadError('body is not valid JSON', { cause });
  }
  if (!isObject(value)) throw new MalformedPayloadError('body must be a JSON object');
  return value;
}

/**
 * @param value - anything
 * @returns whether it is a plain (non-array) object
 */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a required object field.
 * @param obj - the parent
 * @param key - the field
 * @param path - the parent's path, for the message
 * @returns the object
 * @throws MalformedPayloadError when absent or not an object
 */
export function reqObject(obj: JsonObject, key: string, path = ''): JsonObject {
  const v = obj[key];
  if (!isObject(v)) throw new MalformedPayloadError(`${path}${key} must be an object`);
  return v;
}

/**
 * Reads a required array field.
 * @throws MalformedPayloadError when absent or not an array
 */
export function reqArray(obj: JsonObject, key: string, path = ''): unknown[] {
  const v = obj[key];
  if (!Array.isArray(v)) throw new MalformedPayloadError(`${path}${key} must be an array`);
  return v;
}

/**
 * Reads an optional array field.
 * @throws MalformedPayloadError when present but not an array
 */
export function optArray(obj: JsonObject, key: string, path = ''): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedPayloadError(`${path}${key} must be an array`);
  return v;
}

/**
 * Reads a required string field (numbers are accepted and converted, as platforms mix them).
 * @throws MalformedPayloadError when absent or of another type
 */
export function reqString(obj: JsonObject, key: string, path = ''): string {
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new MalformedPayloadError(`${path}${key} must be a string`);
}

/**
 * Reads an optional string field.
 * @throws MalformedPayloadError when present but of another type
 */
export function optString(obj: JsonObject, key: string, path = ''): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return reqString(obj, key, path);
}

/**
 * Reads a required finite number field (numeric strings are accepted).
 * @throws MalformedPayloadError when absent or not numeric
 */
export function reqNumber(obj: JsonObject, key: string, path = ''): number {
  const v = obj[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new MalformedPayloadError(`${path}${key} must be a number`);
  return n;
}

/**
 * Reads an optional finite number field.
 * @throws MalformedPayloadError when present but not numeric
 */
export function optNumber(obj: JsonObject, key: string, path = ''): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return reqNumber(obj, key, path);
}

/**
 * Converts a platform timestamp to a Date.
 * @param value - seconds or milliseconds since the epoch
 * @param unit - the unit the platform uses
 * @throws MalformedPayloadError when the result is not a valid date
 */
export function toDate(value: number, unit: 's' | 'ms'): Date {
  const d = new Date(unit === 's' ? value * 1000 : value);
  if (Number.isNaN(d.getTime())) throw new MalformedPayloadError(`timestamp ${value} is out of range`);
  return d;
}
