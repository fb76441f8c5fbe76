/**
 * How the fake Bot API reads a method's parameters. Telegram takes them four ways — the URL query
 * string, `application/x-www-form-urlencoded`, `application/json` and `multipart/form-data` (the
 * only way to upload a file) — and treats them alike: every value is text, and a structured one
 * (`reply_markup`, `reply_parameters`, `allowed_updates`, `media`…) is that text holding JSON. A
 * JSON body's top-level values are read the same way (a number or an object becomes its text), so
 * `"chat_id": 42` and `chat_id=42` are one request.
 * @module
 */
import { isObject, readFormBody, type FakeUploadedFile, type RecordedRequest } from '@switchboard/core';

/** A file part of a multipart request. */
export type UploadedFile = FakeUploadedFile;

/** One parameter: text, or a file uploaded with multipart/form-data. */
export type BotApiParam = string | UploadedFile;

/** Why the parameters could not be read (answered 400 with this description). */
export class BotApiParamsError extends Error {}

/**
 * Reads a request's parameters: the query string first, then the body by its content type.
 * @param req - the recorded request
 * @returns the parameters by name
 * @throws BotApiParamsError when the body is not what its content type says
 */
export async function readBotApiParams(req: RecordedRequest): Promise<Map<string, BotApiParam>> {
  const params = new Map<string, BotApiParam>(Object.entries(req.query));
  if (req.rawBody.length === 0) return params;
  const contentType = req.headers['content-type'] ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let body: unknown;
    try { body = JSON.parse(req.rawBody.toString('utf8')); } catch { throw new BotApiParamsError("Bad Request: can't parse JSON request body"); }
    if (!isObject(body)) throw new BotApiParamsError("Bad Request: can't parse JSON request body");
    for (const [key, value] of Object.entries(body)) {
      // a null is an absent parameter
      if (value === null || value === undefined) continue;
      params.set(key, typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return params;
  }
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    let fields: Awaited<ReturnType<typeof readFormBody>>;
    try {
      fields = await readFormBody(req);
    } catch {
      throw new BotApiParamsError(type === 'multipart/form-data' ? 'Bad Request: failed to parse multipart/form-data request' : "Bad Request: can't parse request body");
    }
    for (const [key, value] of fields) params.set(key, value);
  }
  // any other body (text/plain…) is not read, as by Telegram: the query string alone counts
  return params;
}

/** Typed reads of {@link readBotApiParams}' result, as the Bot API converts its text. */
export class BotApiParams {
  /** @param params - the parameters by name */
  constructor(readonly params: Map<string, BotApiParam>) {}

  /** Whether a parameter was given (empty text counts as absent, as in Telegram). */
  has(key: string): boolean {
    const v = this.params.get(key);
    return v !== undefined && v !== '';
  }

  /** A text parameter; undefined when absent or a file. */
  str(key: string): string | undefined {
    const v = this.params.get(key);
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  /** A file uploaded in this request under `key`. */
  file(key: string): UploadedFile | undefined {
    const v = this.params.get(key);
    return typeof v === 'object' ? v : undefined;
  }

  /**
   * An integer parameter.
   * @returns undefined when absent, NaN when present but not an integer
   */
  int(key: string): number | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    return /^-?\d{1,16}$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  }

  /**
   * A floating-point parameter.
   * @returns undefined when absent, NaN when present but not a number
   */
  num(key: string): number | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    const n = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(n) ? n : Number.NaN;
  }

  /** A Boolean parameter: `true`/`1` (any case) is true, anything else false. */
  bool(key: string): boolean {
    const v = this.str(key);
    return v !== undefined && (v.toLowerCase() === 'true' || v === '1');
  }

  /**
   * A parameter holding JSON.
   * @returns undefined when absent
   * @throws BotApiParamsError with `description` when the text is not JSON
   */
  json(key: string, description: string): unknown {
    const v = this.str(key);
    if (v === undefined) return undefined;
    try { return JSON.parse(v) as unknown; } catch { throw new BotApiParamsError(description); }
  }

  /** The parameters as a plain object (files as name, type and size), for the sent log. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of this.params) out[k] = typeof v === 'string' ? v : { file: v.name, type: v.type, size: v.bytes.length };
    return out;
  }
}
