import { describe, expect, it } from 'vitest';
import { ManualClock, signJwtHs256, type RawWebhook } from '@switchboard/core';
import { AppleConnector } from './apple-connector.js';
import { parseConfig } from './config.js';
import { BUSINESS_ID, MSP_ID, MSP_SECRET, OTHER_SECRET, bearer, config, headers, textBody } from './__fixtures__/inbound.js';

const NOW = Date.parse('2026-11-15T10:00:00Z');
const clock = new ManualClock(NOW);
const connector = new AppleConnector(parseConfig(config), { clock });
const body = Buffer.from(JSON.stringify(textBody));

function req(authorization: string | undefined, extra: Record<string, string> = {}, raw = body): RawWebhook {
  const h: Record<string, string> = { ...headers(), ...extra };
  if (authorization !== undefined) h.authorization = authorization;
  return { method: 'POST', path: '/webhooks/apple/x', query: {}, headers: h, body: raw };
}

function reason(r: RawWebhook): string | undefined {
  try { connector.verify(r); return undefined; } catch (e) { expect((e as { code: string }).code).toBe('WEBHOOK_VERIFICATION_FAILED'); return (e as Error).message; }
}

describe('verify', () => {
  it('accepts a token signed with the decoded MSP secret for our MSP id', () => {
    expect(reason(req(bearer(NOW)))).toBeUndefined();
  });
  it('accepts a token within the clock skew and a lower-case scheme', () => {
    expect(reason(req(bearer(NOW, { iat: Math.floor(NOW / 1000) + 30 }).replace('Bearer', 'bearer')))).toBeUndefined();
  });
  it('rejects a missing header and a non-Bearer scheme', () => {
    expect(reason(req(undefined))).toMatch(/missing/);
    expect(reason(req(`Basic ${Buffer.from('a:b').toString('base64')}`))).toMatch(/Bearer/);
  });
  it('rejects a token signed with another secret', () => {
    expect(reason(req(bearer(NOW, {}, OTHER_SECRET)))).toMatch(/signature/);
  });
  it('rejects a token signed with the Base64 text instead of the decoded secret', () => {
    const token = signJwtHs256({ aud: MSP_ID, iat: Math.floor(NOW / 1000) }, MSP_SECRET);
    expect(reason(req(`Bearer ${token}`))).toMatch(/signature/);
  });
  it('rejects a token for another MSP (wrong aud)', () => {
    expect(reason(req(bearer(NOW, { aud: 'another-msp' })))).toMatch(/audience/);
  });
  it('rejects an expired token (exp in the past)', () => {
    expect(reason(req(bearer(NOW, { iat: Math.floor(NOW / 1000) - 7200, exp: Math.floor(NOW / 1000) - 3600 })))).toMatch(/expired/);
  });
  it('rejects a token without exp older than the maximum age', () => {
    expect(reason(req(bearer(NOW, { iat: Math.floor(NOW / 1000) - 2 * 3600 })))).toMatch(/too old/);
  });
  it('rejects a token without iat and one issued in the future', () => {
    expect(reason(req(bearer(NOW, { iat: undefined })))).toMatch(/iat/);
    expect(reason(req(bearer(NOW, { iat: Math.floor(NOW / 1000) + 600 })))).toMatch(/future/);
  });
  it('rejects a tampered token (payload changed, signature kept)', () => {
    const [h, , s] = bearer(NOW).slice(7).split('.');
    const forged = Buffer.from(JSON.stringify({ aud: MSP_ID, iat: Math.floor(NOW / 1000), admin: true })).toString('base64url');
    expect(reason(req(`Bearer ${h}.${forged}.${s}`))).toMatch(/signature/);
  });
  it('rejects truncated and extended tokens', () => {
    const good = bearer(NOW);
    expect(reason(req(good.slice(0, -5)))).toBeDefined();
    expect(reason(req(`${good}AAAA`))).toBeDefined();
  });
  it('rejects an alg=none token', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ aud: MSP_ID, iat: Math.floor(NOW / 1000) })).toString('base64url');
    expect(reason(req(`Bearer ${h}.${p}.`))).toBeDefined();
  });
  it('rejects a valid token addressed to another business', () => {
    expect(reason(req(bearer(NOW), { 'destination-id': 'other-business' }))).toMatch(/destination-id/);
    expect(reason(req(bearer(NOW), { 'destination-id': BUSINESS_ID }))).toBeUndefined();
  });
  it('does not depend on the body: a re-serialised body still verifies (Apple signs no body)', () => {
    const reserialised = Buffer.from(JSON.stringify(textBody, null, 2));
    expect(reason(req(bearer(NOW), {}, reserialised))).toBeUndefined();
  });
});
