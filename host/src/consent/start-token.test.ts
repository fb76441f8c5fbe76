import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findStartTokens, perTenantSecrets, START_TOKEN_LENGTH, StartTokens } from './start-token.js';

describe('start tokens', () => {
  let now = Date.parse('2026-03-01T10:00:00Z');
  const tokens = new StartTokens(perTenantSecrets('a host-wide secret of enough length'), () => now);
  const flowId = StartTokens.newFlowId();
  const expiresAt = new Date(now + 3_600_000);

  it('fit Telegram\'s deep-link payload (≤ 64 of A-Z a-z 0-9 _ -) and verify for their tenant', () => {
    const token = tokens.issue('shop', flowId, expiresAt);
    expect(token).toHaveLength(START_TOKEN_LENGTH);
    expect(token).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(tokens.verify('shop', token)).toEqual({ flowId, expiresAt });
  });

  it('refuse another tenant, a changed byte and an expired token', () => {
    const token = tokens.issue('shop', flowId, expiresAt);
    expect(tokens.verify('other-shop', token)).toEqual({ problem: 'bad-signature' });
    const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    expect(tokens.verify('shop', flipped)).toEqual({ problem: 'bad-signature' });
    expect(tokens.verify('shop', 'OIshort')).toEqual({ problem: 'malformed' });
    now += 3_600_001;
    expect(tokens.verify('shop', token)).toEqual({ problem: 'expired' });
    now -= 3_600_001;
  });

  it('are found inside a prefilled text the customer may have edited', () => {
    const token = tokens.issue('shop', flowId, expiresAt);
    expect(findStartTokens(`Hi! Please send me flight updates. ${token}`)).toEqual([token]);
    expect(findStartTokens(`${token}!!`)).toEqual([token]);
    expect(findStartTokens(`x${token}`)).toEqual([]);
    expect(findStartTokens('STOP')).toEqual([]);
  });

  it('never throw on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
      const result = tokens.verify('shop', s);
      expect('problem' in result).toBe(true);
      expect(Array.isArray(findStartTokens(s))).toBe(true);
    }));
  });

  it('refuse a short host secret', () => {
    expect(() => perTenantSecrets('short')).toThrow(RangeError);
  });
});
