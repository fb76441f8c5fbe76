import { describe, expect, it } from 'vitest';
import { ManualClock, hmacSha256Hex, type RawWebhook } from '@switchboard/core';
import { signAcmeWebhook } from './acme-api.js';
import { parseConfig } from './config.js';
import { SmsConnector } from './sms-connector.js';
import { CONFIG, WEBHOOK_SECRET, webhooks } from './__fixtures__/webhooks.js';

const NOW = Date.parse('2026-11-03T10:15:05Z');
const T = Math.floor(NOW / 1000) - 3;
const body = Buffer.from(JSON.stringify(webhooks.received));

function connector(now = NOW): SmsConnector {
  return new SmsConnector(parseConfig(CONFIG), { clock: new ManualClock(now) });
}
function req(signature: string | undefined, bytes: Buffer = body): RawWebhook {
  return {
    method: 'POST', path: '/webhooks/sms/main', query: {},
    headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-acme-signature': signature }) },
    body: bytes,
  };
}
const rejects = (r: RawWebhook, c = connector(), message?: RegExp) => {
  let thrown: unknown;
  try { c.verify(r); } catch (e) { thrown = e; }
  expect(thrown).toMatchObject({ code: 'WEBHOOK_VERIFICATION_FAILED' });
  if (message) expect((thrown as Error).message).toMatch(message);
};

describe('verify: X-Acme-Signature', () => {
  it('accepts a signature computed over "<t>.<raw body>"', () => {
    expect(() => connector().verify(req(signAcmeWebhook(WEBHOOK_SECRET, body, T)))).not.toThrow();
  });
  it('matches an independent computation of the documented scheme', () => {
    const manual = `t=${T},v1=${hmacSha256Hex(WEBHOOK_SECRET, `${T}.${body.toString('utf8')}`)}`;
    expect(signAcmeWebhook(WEBHOOK_SECRET, body, T)).toBe(manual);
    expect(() => connector().verify(req(manual))).not.toThrow();
  });
  it('accepts elements in any order, with spaces, and ignores unknown schemes', () => {
    const v1 = signAcmeWebhook(WEBHOOK_SECRET, body, T).split(',')[1]!;
    expect(() => connector().verify(req(`v0=deadbeef, ${v1}, t=${T}`))).not.toThrow();
  });
  it('accepts any of several v1 signatures (secret rotation)', () => {
    const old = signAcmeWebhook('whsec_previous_secret_0000', body, T).split(',')[1]!;
    const current = signAcmeWebhook(WEBHOOK_SECRET, body, T).split(',')[1]!;
    expect(() => connector().verify(req(`t=${T},${old},${current}`))).not.toThrow();
  });
  it('rejects a missing or empty header', () => {
    rejects(req(undefined), connector(), /missing/);
    rejects(req(''));
  });
  it('rejects a header without t or without v1', () => {
    const v1 = signAcmeWebhook(WEBHOOK_SECRET, body, T).split(',')[1]!;
    rejects(req(v1));
    rejects(req(`t=${T}`));
    rejects(req(`t=${T},t=${T},${v1}`));
    rejects(req(`t=-5,${v1}`));
  });
  it('rejects a digest of the wrong length (truncated, extended) and a non-hex one', () => {
    const good = signAcmeWebhook(WEBHOOK_SECRET, body, T);
    rejects(req(good.slice(0, -2)));
    rejects(req(`${good}00`));
    rejects(req(good.replace(/v1=[0-9a-f]{2}/, 'v1=zz')));
  });
  it('rejects a tampered body', () => {
    const tampered = Buffer.from(JSON.stringify({ ...webhooks.received, text: 'Is my car ready?!' }));
    rejects(req(signAcmeWebhook(WEBHOOK_SECRET, body, T), tampered), connector(), /does not match/);
  });
  it('rejects a body re-serialised after parsing (signatures cover the raw bytes)', () => {
    const pretty = Buffer.from(JSON.stringify(webhooks.received, null, 2));
    rejects(req(signAcmeWebhook(WEBHOOK_SECRET, body, T), pretty));
  });
  it('rejects another secret', () => {
    rejects(req(signAcmeWebhook('whsec_some_other_endpoint_9', body, T)));
  });
  it('rejects a changed timestamp (t is part of the signed string)', () => {
    const good = signAcmeWebhook(WEBHOOK_SECRET, body, T);
    rejects(req(good.replace(`t=${T}`, `t=${T + 1}`)));
  });
  it('accepts a delivery up to 5 minutes old', () => {
    expect(() => connector(NOW).verify(req(signAcmeWebhook(WEBHOOK_SECRET, body, NOW / 1000 - 300)))).not.toThrow();
  });
  it('rejects a stale timestamp (a replay) even though the signature is genuine, measured on the injected clock', () => {
    const signed = signAcmeWebhook(WEBHOOK_SECRET, body, NOW / 1000 - 301);
    rejects(req(signed), connector(NOW), /301 s old.*replays/);
    // the same delivery was fine when it arrived
    expect(() => connector(NOW - 10_000).verify(req(signed))).not.toThrow();
  });
  it('rejects a timestamp more than 5 minutes in the future', () => {
    rejects(req(signAcmeWebhook(WEBHOOK_SECRET, body, NOW / 1000 + 301)), connector(NOW), /future/);
  });
});
