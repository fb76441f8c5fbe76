import { ProviderHttpError, hmacSha256Hex } from '@switchboard/core';
import { describeConnectorConformance } from './conformance.js';
import { relayPlugin } from './__fixtures__/relay-plugin.js';

// The suite run against a minimal connector of a made-up channel: proves the suite needs nothing
// but what the SPI and the fixtures give it.
describeConnectorConformance(relayPlugin, {
  config: { secret: 'relay-secret', apiBaseUrl: 'https://relay.example.com', account: 'acct-1' },
  sign: (body, variant) => ({ 'x-relay-signature': hmacSha256Hex(variant === 'valid' ? 'relay-secret' : 'other-secret', body) }),
  signatureHeader: 'x-relay-signature',
  inbound: [
    {
      name: 'text message',
      body: { messages: [{ id: 'm1', from: 'u1', text: 'Is my car ready?', ts: 1_700_000_000_000 }] },
      expected: [{ kind: 'message', userId: 'u1', externalId: 'm1', content: { type: 'text', text: 'Is my car ready?' } }],
    },
    { name: 'empty delivery', body: { messages: [] }, expected: [] },
  ],
  address: { channel: 'relay', accountId: 'acct-1', userId: 'u1' },
  errors: [
    { name: '429', error: new ProviderHttpError(429, { error: 'slow down' }, { 'retry-after': '3' }), expected: 'rate-limited', retryAfterMs: 3000 },
    { name: '503', error: new ProviderHttpError(503, 'unavailable', {}), expected: 'retryable' },
    { name: '400', error: new ProviderHttpError(400, { error: 'bad' }, {}), expected: 'permanent' },
  ],
});
