/**
 * Small helpers of the demo: a clock that can jump ahead, a REST client for the host's API,
 * waiting for something to happen, and reading what the fake platforms received as text.
 * @module
 */
import type { Clock } from '@switchboard/core';

/**
 * The wall clock plus an offset the demo can move forward: time keeps flowing (so the outbox's
 * pacing and timeouts work), and `advance` makes "the next day" happen in a second. The host, the
 * policy engine and the fake platforms all read this one clock.
 */
export class FastForwardClock implements Clock {
  private readonly start = Date.now();
  private offset = 0;
  /** @param scale - how many times faster than the wall clock demo time runs (default 1) */
  constructor(private readonly scale = 1) {}
  /** @inheritdoc */
  now(): number {
    return this.start + (Date.now() - this.start) * this.scale + this.offset;
  }
  /** Waits `ms` of demo time (the host's dispatcher paces on it). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms / this.scale)));
  }
  /** Jumps forward. @param ms - milliseconds */
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** One hour in milliseconds. */
export const HOUR = 3_600_000;

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
      const buttons = (obj(it.action).buttons as Json[] | undefined ?? []).map((b) => String(obj(b.reply).title));
      return `${String(obj(it.body).text)}${options(buttons)}`;
    }
    case 'template': return `(template ${String(obj(body.template).name)})`;
    default: return `(${String(body.type)})`;
  }
}

/**
 * What a Messenger Send API request shows the customer, as one line of text.
 * @param body - the request body the fake received
 */
export function messengerText(body: Json): string {
  const message = obj(body.message);
  const quick = (message.quick_replies as Json[] | undefined ?? []).map((q) => String(q.title));
  const text = typeof message.text === 'string' ? message.text : `(${String(obj(message.attachment).type ?? 'attachment')})`;
  return `${text}${options(quick)}`;
}
