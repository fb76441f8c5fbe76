/**
 * Validation of outbound requests (REST and library): unknown input in, a typed request or a
 * VALIDATION_FAILED error naming every bad field out — never a TypeError.
 * @module
 */
import { CONTENT_TYPES, PURPOSES, SwitchboardError, type Content, type Purpose, type TemplateParameter } from '@switchboard/core';

/** A request to send one message. */
export interface SendRequest {
  channel: string;
  accountId: string;
  /** The customer's id on the channel; or give `conversationId`. */
  userId?: string;
  conversationId?: string;
  content: Content;
  purpose: Purpose;
  /** The stated context of a transactional or marketing message ("flight updates"). */
  topic?: string;
  /** A message tag for sending outside the window (Messenger). */
  tag?: string;
  sender: 'bot' | 'agent' | 'system';
  /** External id of the customer message this one answers. */
  replyTo?: string;
  /** Commerce category of a product message. */
  commerceCategory?: string;
}

/** A template send to many recipients. */
export interface NotificationRequest {
  channel: string;
  accountId: string;
  /** The template: its parameters may be overridden per recipient. */
  content: Extract<Content, { type: 'template' }>;
  purpose: Exclude<Purpose, 'service'>;
  topic?: string;
  recipients: { userId: string; parameters?: TemplateParameter[] }[];
}

/** Thrown for input that does not validate; `details.problems` lists every bad field. */
export class ValidationError extends SwitchboardError {
  /** @param problems - `{ field, message }` per bad field */
  constructor(readonly problems: { field: string; message: string }[]) {
    super('VALIDATION_FAILED', `invalid request: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, false, { details: { problems } });
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_STRING = 100_000;

class Checker {
  readonly problems: { field: string; message: string }[] = [];
  bad(field: string, message: string): void { this.problems.push({ field, message }); }
  str(o: Obj, key: string, path: string, required: boolean, max = MAX_STRING): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) { if (required) this.bad(`${path}${key}`, 'is required'); return undefined; }
    if (typeof v !== 'string') { this.bad(`${path}${key}`, 'must be a string'); return undefined; }
    if (required && v.trim() === '') { this.bad(`${path}${key}`, 'must not be empty'); return undefined; }
    if (v.length > max) { this.bad(`${path}${key}`, `must be at most ${max} characters`); return undefined; }
    return v;
  }
  num(o: Obj, key: string, path: string, min: number, max: number): number | undefined {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) { this.bad(`${path}${key}`, `must be a number between ${min} and ${max}`); return undefined; }
    return v;
  }
  arr(o: Obj, key: string, path: string, required: boolean, max: number): unknown[] | undefined {
    const v = o[key];
    if (v === undefined) { if (required) this.bad(`${path}${key}`, 'is required'); return undefined; }
    if (!Array.isArray(v)) { this.bad(`${path}${key}`, 'must be an array'); return undefined; }
    if (v.length > max) { this.bad(`${path}${key}`, `must have at most ${max} items`); return undefined; }
    return v;
  }
}

function checkOptions(c: Checker, list: unknown[] | undefined, path: string): void {
  list?.forEach((b, i) => {
    if (!isObj(b)) { c.bad(`${path}[${i}]`, 'must be an object'); return; }
    c.str(b, 'id', `${path}[${i}].`, true, 1000);
    c.str(b, 'title', `${path}[${i}].`, true, 1000);
  });
}

function checkParameters(c: Checker, list: unknown[] | undefined, path: string): void {
  list?.forEach((p, i) => {
    if (!isObj(p)) { c.bad(`${path}[${i}]`, 'must be an object'); return; }
    c.str(p, 'text', `${path}[${i}].`, false);
    c.str(p, 'name', `${path}[${i}].`, false, 200);
    if (p.component !== undefined && !['header', 'body', 'button'].includes(p.component as string)) c.bad(`${path}[${i}].component`, 'must be header, body or button');
  });
}

/**
 * Validates a content object.
 * @param c - the checker collecting problems
 * @param v - the value
 * @param path - field path prefix
 */
function checkContent(c: Checker, v: unknown, path: string): void {
  if (!isObj(v)) { c.bad(path, 'must be an object'); return; }
  const type = v.type;
  if (typeof type !== 'string' || !(CONTENT_TYPES as readonly string[]).includes(type)) {
    c.bad(`${path}.type`, `must be one of ${CONTENT_TYPES.join(', ')}`);
    return;
  }
  const p = `${path}.`;
  switch (type) {
    case 'text': c.str(v, 'text', p, true); break;
    case 'image': case 'video': case 'audio': case 'document': case 'sticker': {
      if (!isObj(v.media)) { c.bad(`${p}media`, 'must be an object'); break; }
      const id = c.str(v.media, 'id', `${p}media.`, false, 2000);
      const url = c.str(v.media, 'url', `${p}media.`, false, 4000);
      if (!id && !url) c.bad(`${p}media`, 'needs an id or a url');
      if (url) { try { new URL(url); } catch { c.bad(`${p}media.url`, 'must be a URL'); } }
      c.str(v.media, 'caption', `${p}media.`, false);
      c.str(v.media, 'filename', `${p}media.`, false, 500);
      break;
    }
    case 'location': c.num(v, 'latitude', p, -90, 90); c.num(v, 'longitude', p, -180, 180); c.str(v, 'name', p, false, 1000); c.str(v, 'address', p, false, 1000); break;
    case 'contacts': {
      const list = c.arr(v, 'contacts', p, true, 50);
      list?.forEach((x, i) => { if (!isObj(x)) c.bad(`${p}contacts[${i}]`, 'must be an object'); else c.str(x, 'name', `${p}contacts[${i}].`, true, 1000); });
      break;
    }
    case 'reply': c.str(v, 'id', p, true, 1000); c.str(v, 'title', p, true, 1000); break;
    case 'reaction': c.str(v, 'emoji', p, false, 32); c.str(v, 'target', p, true, 1000); break;
    case 'interactive': {
      c.str(v, 'body', p, true);
      checkOptions(c, c.arr(v, 'buttons', p, false, 100), `${p}buttons`);
      checkOptions(c, c.arr(v, 'quickReplies', p, false, 100), `${p}quickReplies`);
      if (v.list !== undefined) {
        if (!isObj(v.list)) c.bad(`${p}list`, 'must be an object');
        else {
          c.str(v.list, 'button', `${p}list.`, true, 200);
          const sections = c.arr(v.list, 'sections', `${p}list.`, true, 50);
          sections?.forEach((s, i) => { if (!isObj(s)) c.bad(`${p}list.sections[${i}]`, 'must be an object'); else checkOptions(c, c.arr(s, 'rows', `${p}list.sections[${i}].`, true, 100), `${p}list.sections[${i}].rows`); });
        }
      }
      if (v.buttons === undefined && v.list === undefined && v.quickReplies === undefined) c.bad(path, 'interactive content needs buttons, a list or quick replies');
      break;
    }
    case 'template': {
      c.str(v, 'name', p, true, 512);
      c.str(v, 'language', p, true, 20);
      if (!['marketing', 'utility', 'authentication'].includes(v.category as string)) c.bad(`${p}category`, 'must be marketing, utility or authentication');
      checkParameters(c, c.arr(v, 'parameters', p, false, 100), `${p}parameters`);
      c.str(v, 'fallbackText', p, false);
      break;
    }
    case 'rich': {
      if (!['carousel', 'list-picker', 'time-picker', 'payment', 'form', 'auth', 'rich-link'].includes(v.kind as string)) c.bad(`${p}kind`, 'is not a known rich kind');
      c.str(v, 'fallbackText', p, false);
      break;
    }
  }
}

/**
 * Validates a send request.
 * @param input - parsed JSON
 * @returns the request
 * @throws ValidationError naming every bad field
 */
export function parseSendRequest(input: unknown): SendRequest {
  const c = new Checker();
  if (!isObj(input)) throw new ValidationError([{ field: 'body', message: 'must be a JSON object' }]);
  const channel = c.str(input, 'channel', '', true, 64);
  const accountId = c.str(input, 'accountId', '', true, 256);
  const userId = c.str(input, 'userId', '', false, 256);
  const conversationId = c.str(input, 'conversationId', '', false, 256);
  if (!userId && !conversationId) c.bad('userId', 'or conversationId is required');
  checkContent(c, input.content, 'content');
  const purpose = input.purpose;
  if (typeof purpose !== 'string' || !(PURPOSES as readonly string[]).includes(purpose)) c.bad('purpose', 'must be service, transactional or marketing');
  const sender = input.sender ?? 'bot';
  if (!['bot', 'agent', 'system'].includes(sender as string)) c.bad('sender', 'must be bot, agent or system');
  const topic = c.str(input, 'topic', '', false, 200);
  const tag = c.str(input, 'tag', '', false, 64);
  const replyTo = c.str(input, 'replyTo', '', false, 512);
  const commerceCategory = c.str(input, 'commerceCategory', '', false, 100);
  if (c.problems.length > 0) throw new ValidationError(c.problems);
  return {
    channel: channel!, accountId: accountId!, content: input.content as Content, purpose: purpose as Purpose, sender: sender as SendRequest['sender'],
    ...(userId ? { userId } : {}), ...(conversationId ? { conversationId } : {}), ...(topic ? { topic } : {}), ...(tag ? { tag } : {}),
    ...(replyTo ? { replyTo } : {}), ...(commerceCategory ? { commerceCategory } : {}),
  };
}

/**
 * Validates a notification request.
 * @param input - parsed JSON
 * @returns the request
 * @throws ValidationError naming every bad field
 */
export function parseNotificationRequest(input: unknown): NotificationRequest {
  const c = new Checker();
  if (!isObj(input)) throw new ValidationError([{ field: 'body', message: 'must be a JSON object' }]);
  c.str(input, 'channel', '', true, 64);
  c.str(input, 'accountId', '', true, 256);
  checkContent(c, input.content, 'content');
  if (isObj(input.content) && input.content.type !== 'template') c.bad('content.type', 'must be template for notifications');
  if (input.purpose !== 'transactional' && input.purpose !== 'marketing') c.bad('purpose', 'must be transactional or marketing');
  c.str(input, 'topic', '', false, 200);
  const recipients = c.arr(input, 'recipients', '', true, 10_000);
  if (recipients && recipients.length === 0) c.bad('recipients', 'must not be empty');
  recipients?.forEach((r, i) => {
    if (!isObj(r)) { c.bad(`recipients[${i}]`, 'must be an object'); return; }
    c.str(r, 'userId', `recipients[${i}].`, true, 256);
    checkParameters(c, c.arr(r, 'parameters', `recipients[${i}].`, false, 100), `recipients[${i}].parameters`);
  });
  if (c.problems.length > 0) throw new ValidationError(c.problems);
  return input as unknown as NotificationRequest;
}
