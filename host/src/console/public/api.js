// @ts-check
/* global document, fetch, EventSource, crypto, URLSearchParams */
/**
 * Talks to /console/api: JSON in and out, the CSRF token echoed on every state-changing call,
 * errors turned into ApiError with the host's { error: { code, message, details } }.
 */

/** An answer other than 2xx. */
export class ApiError extends Error {
  /** @param {number} status @param {{ code?: string, message?: string, details?: any, reasons?: any[] }} error */
  constructor(status, error) {
    super(error.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error.code ?? 'HTTP_' + status;
    this.details = error.details ?? {};
  }
}

/** @returns {string | undefined} the CSRF token from its readable cookie */
export function csrfToken() {
  const m = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith('sb_console_csrf='));
  return m ? decodeURIComponent(m.slice('sb_console_csrf='.length)) : undefined;
}

/**
 * Calls the console API.
 * @param {string} path - below /console/api
 * @param {{ method?: string, body?: unknown, headers?: Record<string, string> }} [init]
 * @returns {Promise<any>} the parsed JSON body (undefined for 204)
 */
export async function call(path, init = {}) {
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const token = csrfToken();
  if (method !== 'GET' && token) headers['x-csrf-token'] = token;
  const res = await fetch(`/console/api${path}`, { method, headers, credentials: 'same-origin', ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  return answerOf(res);
}

/** @param {globalThis.Response} res @returns {Promise<any>} the parsed JSON body, or ApiError */
async function answerOf(res) {
  const text = await res.text();
  let data;
  try { data = text ? JSON.parse(text) : undefined; } catch { data = { error: { message: text } }; }
  if (!res.ok) throw new ApiError(res.status, data?.error ?? {});
  return data;
}

/**
 * Uploads a file: the request's body is the file itself (streamed by the browser, with its size
 * and declared type), the CSRF token echoed as on every state-changing call.
 * @param {string} path - below /console/api
 * @param {File} file
 * @param {Record<string, string>} query - e.g. the file's name
 * @returns {Promise<any>} the parsed JSON answer
 */
export async function upload(path, file, query) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', 'content-type': file.type || 'application/octet-stream' };
  const token = csrfToken();
  if (token) headers['x-csrf-token'] = token;
  let res;
  try {
    res = await fetch(`/console/api${path}?${new URLSearchParams(query)}`, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    // a refusal closes the connection while the browser may still be sending: it reports no answer
    throw new ApiError(0, { code: 'UPLOAD_CUT', message: 'The upload was cut off: the file may be larger than allowed, or the connection dropped.' });
  }
  return answerOf(res);
}

/** @returns {string} a fresh idempotency key for one send */
export function idempotencyKey() {
  return crypto.randomUUID();
}

/**
 * Subscribes to the console's live events (Server-Sent Events; the browser reconnects by itself).
 * @param {Record<string, (data: any) => void>} handlers - by event name
 * @param {(connected: boolean) => void} onState
 * @returns {EventSource}
 */
export function subscribe(handlers, onState) {
  const source = new EventSource('/console/api/events', { withCredentials: true });
  for (const [name, fn] of Object.entries(handlers)) source.addEventListener(name, (e) => fn(JSON.parse(/** @type {MessageEvent} */ (e).data)));
  source.addEventListener('open', () => onState(true));
  source.addEventListener('error', () => onState(false));
  return source;
}
