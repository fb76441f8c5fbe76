import { describe, expect, it } from 'vitest';
import { CredentialRedactor, DEFAULT_CREDENTIAL_HEADERS, REDACTED } from './credential-redactor.js';

describe('CredentialRedactor', () => {
  it('keeps a credential header\'s name and replaces its value; other headers pass', () => {
    const headers = { 'x-telegram-bot-api-secret-token': 'tg', authorization: 'Bearer j.w.t', cookie: 'a=b', 'content-type': 'application/json', 'destination-id': 'biz' };
    expect(CredentialRedactor.defaults.headers(headers)).toEqual({
      'x-telegram-bot-api-secret-token': REDACTED, authorization: REDACTED, cookie: REDACTED, 'content-type': 'application/json', 'destination-id': 'biz',
    });
  });

  it('honours a plugin\'s declaration beyond the defaults and the name pattern', () => {
    const plain = { 'x-vendor-proof': 'p', 'x-request-id': 'r' };
    expect(CredentialRedactor.defaults.headers(plain)).toEqual(plain);
    const vendor = CredentialRedactor.for({ credentialHeaders: ['X-Vendor-Proof'], credentialQuery: ['proof'] });
    expect(vendor.headers(plain)).toEqual({ 'x-vendor-proof': REDACTED, 'x-request-id': 'r' });
    expect(vendor.query({ proof: 'p', page: '2' })).toEqual({ proof: REDACTED, page: '2' });
    expect(CredentialRedactor.for(undefined)).toBe(CredentialRedactor.defaults);
  });

  it('redacts credential query parameters in a URL, however they are spelt', () => {
    const r = CredentialRedactor.defaults;
    expect(r.url('https://h/webhooks/w/main?hub.verify_token=abc&hub.challenge=1#f')).toBe('https://h/webhooks/w/main?hub.verify_token=%5Bredacted%5D&hub.challenge=1#f');
    expect(r.url('/p?hub%2Everify_token=abc&SIG=x&flag&x=%ZZ')).toBe('/p?hub%2Everify_token=%5Bredacted%5D&SIG=%5Bredacted%5D&flag&x=%ZZ');
    expect(r.url('/p/without/query')).toBe('/p/without/query');
  });

  it('covers every header a first-party platform proves origin with', () => {
    for (const h of ['x-hub-signature-256', 'x-hub-signature', 'x-telegram-bot-api-secret-token', 'x-viber-content-signature', 'authorization']) {
      expect(DEFAULT_CREDENTIAL_HEADERS).toContain(h);
    }
  });
});

describe('withoutDecryptionKeys', () => {
  it('redacts media decryption keys and the key of an encrypted-file descriptor, and nothing else', async () => {
    const { withoutDecryptionKeys } = await import('./credential-redactor.js');
    const at = new Date(0);
    const stored = {
      at, content: { type: 'image', media: { url: 'https://mmcs/x', encryption: { decryptionKey: '00ab', owner: 'o', signature: 's' } } },
      metadata: { attachment: { url: 'https://mmcs/x', owner: 'o', key: '00ab', name: 'a.jpg' }, key: 'idempotency-key-stays' },
    };
    const copy = withoutDecryptionKeys(stored);
    expect(copy).toEqual({
      at, content: { type: 'image', media: { url: 'https://mmcs/x', encryption: { decryptionKey: '[redacted]', owner: 'o', signature: 's' } } },
      metadata: { attachment: { url: 'https://mmcs/x', owner: 'o', key: '[redacted]', name: 'a.jpg' }, key: 'idempotency-key-stays' },
    });
    expect(copy.at).toBeInstanceOf(Date);
    expect(stored.content.media.encryption.decryptionKey).toBe('00ab');
  });
});
