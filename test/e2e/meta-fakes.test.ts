/**
 * The two Meta fakes imitate one Graph API: the same request condition gets the same answer from
 * both (status, headers, error body but its trace id). Each connector keeps its own copy of the
 * Graph helper (a connector imports only core); this test keeps the copies identical.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeMessengerServer, messengerSandboxConfig } from '@switchboard/messenger';
import { FakeWhatsAppServer, whatsappSandboxConfig } from '@switchboard/whatsapp';

const whatsapp = new FakeWhatsAppServer({ config: { ...whatsappSandboxConfig } });
const messenger = new FakeMessengerServer({ config: { ...messengerSandboxConfig } });
beforeAll(async () => { await Promise.all([whatsapp.start(), messenger.start()]); });
afterAll(async () => { await Promise.all([whatsapp.stop(), messenger.stop()]); });

const endpoints = (): { name: string; url: string; body: unknown }[] => [
  { name: 'WhatsApp', url: `${whatsapp.url}/v23.0/${whatsappSandboxConfig.phoneNumberId}/messages`, body: { messaging_product: 'whatsapp', to: '4915112345678', type: 'text', text: { body: 'hi' } } },
  { name: 'Messenger', url: `${messenger.url}/v23.0/${messengerSandboxConfig.pageId}/messages`, body: { recipient: { id: '6100000000000001' }, messaging_type: 'RESPONSE', message: { text: 'hi' } } },
];

/** An answer without what differs per request by design (the trace id, the date). */
async function answer(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; authenticate: string | null; body: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await res.json() as { error: Record<string, unknown> };
  expect(json.error.fbtrace_id).toEqual(expect.any(String));
  delete json.error.fbtrace_id;
  return { status: res.status, authenticate: res.headers.get('www-authenticate'), body: json };
}

describe('the Meta fakes answer token problems alike', () => {
  it.each([
    ['regression: a missing token', {}],
    ['regression: a wrong token', { authorization: 'Bearer EAAnot-the-token' }],
    ['a wrong token in the query', { 'x-query': 'access_token=EAAnot-the-token' }],
  ])('%s gets the same Graph answer from both', async (_name, headers) => {
    const { 'x-query': query, ...rest } = headers as Record<string, string>;
    const [wa, ms] = await Promise.all(endpoints().map((e) => answer(query ? `${e.url}?${query}` : e.url, e.body, rest)));
    expect(wa).toEqual(ms);
    expect(wa!.body).toMatchObject({ error: { type: 'OAuthException' } });
  });

  it('both connectors carry the same Graph helper', () => {
    const copy = (connector: string): string => readFileSync(fileURLToPath(new URL(`../../connectors/${connector}/src/fake-graph-api.ts`, import.meta.url)), 'utf8');
    expect(copy('whatsapp')).toBe(copy('messenger'));
  });
});
