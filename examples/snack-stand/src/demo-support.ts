/**
 * Small helpers of the demo: a REST client for the host's API, waiting for something to happen,
 * and reading what the fake platforms received as text.
 * @module
 */
/**
 * Polls until `probe` returns something truthy.
 * @param probe - the check
 * @param ms - how long to wait before failing
 * @returns what the probe returned
 */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 8_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('the demo waited too long for the host');
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** An answer of the host's REST API. */
export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/**
 * A minimal client of the host's REST API, as an integrator's back office would call it.
 * @param baseUrl - the host's URL
 * @param apiKey - the tenant's API key
 * @returns `api(path, { method?, body? })`
 */
export function apiClient(baseUrl: string, apiKey: string): <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<ApiAnswer<T>> {
  return async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiAnswer<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? v as Json : {});
const options = (titles: string[]): string => (titles.length ? `  ${titles.map((t) => `[${t}]`).join(' ')}` : '');

/**
 * What a WhatsApp Cloud API send request shows the customer, as one line of text.
 * @param body - the request body the fake received
 */
export function whatsappText(body: Json): string {
  switch (body.type) {
    case 'text': return String(obj(body.text).body);
    case 'interactive': {
      const it = obj(body.interactive);
      const action = obj(it.action);
      const buttons = (action.buttons as Json[] | undefined ?? []).map((b) => String(obj(b.reply).title));
      const rows = (action.sections as Json[] | undefined ?? []).flatMap((sec) => (sec.rows as Json[]).map((r) => `${String(r.title)} ${String(r.description ?? '')}`.trim()));
      const list = rows.length ? `  <${String(action.button)}: ${rows.join(' | ')}>` : '';
      return `${String(obj(it.body).text)}${options(buttons)}${list}`;
    }
    case 'document': return `[document ${String(obj(body.document).filename)}] ${String(obj(body.document).caption ?? '')}`.trim();
    default: return `(${String(body.type)})`;
  }
}

/**
 * What a Telegram Bot API `sendMessage` or `sendDocument` shows the customer, as one line of text.
 * @param body - the request body the fake received
 */
/**
 * A recorded Bot API request's parameters: its JSON body, or the fields of a multipart upload (a file
 * part as `{ filename, contentType, size }`), as the fake read them.
 * @param request - the recorded request
 * @returns the parameters
 */
export function botApiParams(request: { headers: Record<string, string>; body: unknown; rawBody: Buffer }): Json {
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (!boundary) return (request.body ?? {}) as Json;
  const out: Json = {};
  const raw = request.rawBody.toString('latin1');
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const split = part.indexOf('\r\n\r\n');
    const head = part.slice(2, split);
    const value = part.slice(split + 4, -2);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    if (name === undefined) continue;
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    out[name] = filename === undefined
      ? Buffer.from(value, 'latin1').toString('utf8')
      : { filename: Buffer.from(filename, 'latin1').toString('utf8'), contentType: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '', size: Buffer.byteLength(value, 'latin1') };
  }
  return out;
}

export function telegramText(body: Json): string {
  // a document sent by URL: Telegram shows the file under the link's last segment
  if (typeof body.document === 'string') return `[document ${decodeURIComponent(body.document.split('/').pop() ?? '')}] ${String(body.caption ?? '')}`.trim();
  // a document uploaded (multipart): Telegram shows the part's file name
  if (typeof body.document === 'object' && body.document !== null) return `[document ${String((body.document as Json).filename)}] ${String(body.caption ?? '')}`.trim();
  const keyboard = (obj(body.reply_markup).inline_keyboard as Json[][] | undefined ?? []).flat().map((b) => String(b.text));
  return `${String(body.text)}${options(keyboard)}`;
}
