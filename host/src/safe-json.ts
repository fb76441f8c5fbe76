/**
 * Serialisation that cannot throw: what goes to an event stream, an export or a log is turned into
 * JSON with a depth and size bound, cycles cut and throwing getters or `toJSON` methods contained.
 * `JSON.stringify` overflows the stack on deeply nested values and throws on cycles and BigInts; one
 * such value must never end a stream, an export or the process.
 * @module
 */

/** Bounds of {@link toSafeJsonValue} and {@link safeJsonStringify}. */
export interface SafeJsonOptions {
  /** Objects and arrays nested deeper than this become {@link TRUNCATED} (default 64). */
  maxDepth?: number;
  /** Objects, arrays and values visited before the rest becomes {@link TRUNCATED} (default 1,000,000). */
  maxNodes?: number;
}

/** What stands in for a value beyond the depth or node bound. */
export const TRUNCATED = '[truncated]';
/** What stands in for a reference back to an enclosing object. */
export const CIRCULAR = '[circular]';
/** What stands in for a value whose getter or `toJSON` threw. */
export const UNSERIALISABLE = '[unserialisable]';

const DEFAULT_DEPTH = 64;
const DEFAULT_NODES = 1_000_000;

/**
 * A JSON-safe copy of a value: plain objects, arrays, strings, finite numbers, booleans and null,
 * at most `maxDepth` levels deep and `maxNodes` values large. `toJSON` is honoured (dates become
 * ISO strings), errors keep their name, message and code, BigInts become strings, functions and
 * symbols are left out as `JSON.stringify` leaves them.
 * @param value - anything
 * @param options - depth and node bounds
 * @returns the copy (never throws)
 * @example
 * const a: Record<string, unknown> = {}; a.self = a;
 * toSafeJsonValue(a) // { self: '[circular]' }
 */
export function toSafeJsonValue(value: unknown, options: SafeJsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_DEPTH;
  let budget = options.maxNodes ?? DEFAULT_NODES;
  const ancestors = new Set<object>();

  // recursion is bounded by maxDepth, so the stack stays small whatever the input
  const copy = (v: unknown, depth: number, key: string): unknown => {
    if (--budget < 0) return TRUNCATED;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined; // functions, symbols, undefined
    if (ancestors.has(v)) return CIRCULAR;
    if (v instanceof Error) {
      const code = (v as { code?: unknown }).code;
      return { name: v.name, message: v.message, ...(typeof code === 'string' ? { code } : {}) };
    }
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      let replaced: unknown;
      try { replaced = toJSON.call(v, key); } catch { return UNSERIALISABLE; }
      if (replaced === null || typeof replaced !== 'object') return copy(replaced, depth, key);
      v = replaced;
      if (ancestors.has(v as object)) return CIRCULAR;
    }
    if (depth >= maxDepth) return TRUNCATED;
    const obj = v as object;
    ancestors.add(obj);
    try {
      if (Array.isArray(obj)) {
        const out: unknown[] = [];
        for (let i = 0; i < obj.length; i++) {
          if (budget <= 0) { out.push(TRUNCATED); break; }
          let item: unknown;
          try { item = obj[i]; } catch { item = UNSERIALISABLE; }
          const c = copy(item, depth + 1, String(i));
          out.push(c === undefined ? null : c);
        }
        return out;
      }
      const out: Record<string, unknown> = {};
      let keys: string[];
      try { keys = Object.keys(obj); } catch { return UNSERIALISABLE; }
      for (const k of keys) {
        if (budget <= 0) { out[k] = TRUNCATED; break; }
        let item: unknown;
        try { item = (obj as Record<string, unknown>)[k]; } catch { item = UNSERIALISABLE; }
        const c = copy(item, depth + 1, k);
        // defineProperty: a key named __proto__ stays a plain key
        if (c !== undefined) Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.delete(obj);
    }
  };
  return copy(value, 0, '');
}

/**
 * `JSON.stringify` that never throws: the value is first bounded by {@link toSafeJsonValue}.
 * @param value - anything
 * @param options - depth and node bounds
 * @returns JSON text (`null` for a value JSON has no text for, such as `undefined`)
 * @example
 * safeJsonStringify({ at: new Date(0), n: 1n }) // '{"at":"1970-01-01T00:00:00.000Z","n":"1"}'
 */
export function safeJsonStringify(value: unknown, options: SafeJsonOptions = {}): string {
  try {
    return JSON.stringify(toSafeJsonValue(value, options)) ?? 'null';
  } catch {
    // unreachable for the bounded copy; kept so the promise "never throws" holds even so
    return JSON.stringify(UNSERIALISABLE);
  }
}

/** The shape of a parsed JSON value, measured without recursion. */
export interface JsonShape {
  /** Deepest nesting of objects and arrays (a scalar is 0, `{}` is 1). */
  depth: number;
  /** Objects, arrays and scalars counted (stops counting past the limit it was given). */
  nodes: number;
  /** The longest array. */
  longestArray: number;
}

/**
 * Measures a parsed JSON value iteratively (no stack growth, whatever the nesting), stopping as
 * soon as it passes `limits`.
 * @param value - a value from `JSON.parse`
 * @param limits - where to stop measuring
 * @returns its depth, node count and longest array, each at most one past its limit
 */
export function measureJson(value: unknown, limits: { depth: number; nodes: number }): JsonShape {
  const shape: JsonShape = { depth: 0, nodes: 0, longestArray: 0 };
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length > 0) {
    const { v, d } = stack.pop()!;
    shape.nodes++;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > shape.depth) shape.depth = depth;
    if (shape.depth > limits.depth || shape.nodes > limits.nodes) break;
    if (Array.isArray(v)) {
      if (v.length > shape.longestArray) shape.longestArray = v.length;
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], d: depth });
    } else {
      for (const x of Object.values(v as Record<string, unknown>)) stack.push({ v: x, d: depth });
    }
    if (stack.length > limits.nodes) { shape.nodes += stack.length; break; }
  }
  return shape;
}
