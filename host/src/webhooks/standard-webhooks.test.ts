/**
 * Standard Webhooks signing and verification: the specification's own example, rotation, the
 * timestamp tolerance, and properties (what is signed verifies; any change to id, time, body or
 * secret does not; verification never throws on any headers).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signatureOf, signStandardWebhook, verifyStandardWebhook, webhookSecretKey } from './standard-webhooks.js';

const secretArb = fc.uint8Array({ minLength: 24, maxLength: 64 }).map((b) => `whsec_${Buffer.from(b).toString('base64')}`);
const idArb = fc.stringMatching(/^msg_[A-Za-z0-9]{1,40}$/);
const stampArb = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });

describe('Standard Webhooks signatures', () => {
  it('signs the specification\'s example as the specification does', () => {
    expect(signatureOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'))
      .toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('keys with the base64 part of whsec_ secrets, and with the UTF-8 bytes of any other', () => {
    expect(webhookSecretKey('whsec_AAEC')).toEqual(Buffer.from([0, 1, 2]));
    expect(webhookSecretKey('forwarding-secret-0123456789')).toEqual(Buffer.from('forwarding-secret-0123456789'));
    expect(() => webhookSecretKey('whsec_not base64!')).toThrow(RangeError);
  });

  it('signs once per secret during a rotation; a receiver knowing either accepts', () => {
    const [a, b, c] = [0, 1, 2].map(() => `whsec_${randomBytes(32).toString('base64')}`) as [string, string, string];
    const body = '{"type":"message.received"}';
    const headers = signStandardWebhook({ id: 'msg_1', timestamp: 1_700_000_000, body, secrets: [a, b] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    const nowMs = 1_700_000_000_000;
    expect(verifyStandardWebhook({ headers: { ...headers }, body, secrets: [b], nowMs })).toEqual({ ok: true, id: 'msg_1', timestamp: 1_700_000_000 });
    expect(verifyStandardWebhook({ headers: new Headers({ ...headers }), body, secrets: [c, a], nowMs })).toMatchObject({ ok: true });
    expect(verifyStandardWebhook({ headers: { ...headers }, body, secrets: [c], nowMs })).toEqual({ ok: false, problem: 'no-matching-signature' });
    expect(() => signStandardWebhook({ id: 'x', timestamp: 1, body, secrets: [] })).toThrow(RangeError);
  });

  it('refuses a timestamp beyond the tolerance either way, a malformed one, and missing headers', () => {
    const s = `whsec_${randomBytes(32).toString('base64')}`;
    const headers = signStandardWebhook({ id: 'msg_2', timestamp: 1_700_000_000, body: 'x', secrets: [s] });
    const at = (seconds: number): number => seconds * 1000;
    expect(verifyStandardWebhook({ headers: { ...headers }, body: 'x', secrets: [s], nowMs: at(1_700_000_300) })).toMatchObject({ ok: true });
    expect(verifyStandardWebhook({ headers: { ...headers }, body: 'x', secrets: [s], nowMs: at(1_700_000_301) })).toEqual({ ok: false, problem: 'timestamp-too-old' });
    expect(verifyStandardWebhook({ headers: { ...headers }, body: 'x', secrets: [s], nowMs: at(1_699_999_699) })).toEqual({ ok: false, problem: 'timestamp-too-new' });
    expect(verifyStandardWebhook({ headers: { ...headers, 'webhook-timestamp': '1.7e9' }, body: 'x', secrets: [s] })).toEqual({ ok: false, problem: 'bad-timestamp' });
    expect(verifyStandardWebhook({ headers: { 'webhook-id': 'msg_2' }, body: 'x', secrets: [s] })).toEqual({ ok: false, problem: 'missing-headers' });
  });

  it('property: what is signed verifies, and a change to the id, time, body or secret does not', () => {
    fc.assert(fc.property(secretArb, secretArb, idArb, stampArb, fc.string({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 5 }), (secret, other, id, timestamp, body, extra) => {
      const headers = signStandardWebhook({ id, timestamp, body, secrets: [secret] });
      const nowMs = timestamp * 1000;
      expect(verifyStandardWebhook({ headers: { ...headers }, body, secrets: [secret], nowMs }).ok).toBe(true);
      expect(verifyStandardWebhook({ headers: { ...headers }, body: body + extra, secrets: [secret], nowMs }).ok).toBe(false);
      expect(verifyStandardWebhook({ headers: { ...headers, 'webhook-id': `${id}x` }, body, secrets: [secret], nowMs }).ok).toBe(false);
      expect(verifyStandardWebhook({ headers: { ...headers, 'webhook-timestamp': String(timestamp + 1) }, body, secrets: [secret], nowMs }).ok).toBe(false);
      if (other !== secret) expect(verifyStandardWebhook({ headers: { ...headers }, body, secrets: [other], nowMs }).ok).toBe(false);
    }), { numRuns: 200 });
  });

  it('property: verification answers a value for any headers and secrets, never throws', () => {
    const header = fc.option(fc.string({ maxLength: 120 }), { nil: undefined });
    fc.assert(fc.property(header, header, header, fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }), fc.string({ maxLength: 100 }), (id, stamp, sig, secrets, body) => {
      const out = verifyStandardWebhook({ headers: { 'webhook-id': id, 'webhook-timestamp': stamp, 'webhook-signature': sig }, body, secrets });
      expect(typeof out.ok).toBe('boolean');
    }), { numRuns: 300 });
  });
});
