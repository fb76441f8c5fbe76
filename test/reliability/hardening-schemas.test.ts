/**
 * Hardening (issue 16), closed and bounded input — each attack as it was reproduced, on a running
 * multi-tenant host:
 * - finding 1: `POST /v1/messages` whose `content` carries an extra key holding 5,000 nested
 *   objects was accepted (202), the SSE subscriber's JSON.stringify overflowed the stack and the
 *   process exited, and the conversation's messages answered 500. Now: 400 naming the problem,
 *   nothing stored, every stream and the other tenant served; a value that deep already in the
 *   store (written before the schemas) is answered cut at 64 levels, not with a 500.
 * - unknown keys inside `content` were stored as given: now 400 naming each one.
 * - the knowledge-base `keywords` could never be set.
 * - `POST /v1/contacts/:id/consent` let the caller set the evidence source to `keyword` with an
 *   invented message id: the source is `api` and names the key that recorded it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostMessage } from '@switchboard/host';
import { openSse, type SseTestClient } from '../../host/src/__fixtures__/sse-client.js';
import { signBody } from '../e2e/support/webhook-signing.js';
import { KEY, RIVAL_KEY, startChannelsHost, type ChannelsHost } from './support/channels-host.js';

type ErrorBody = { error: { code: string; message: string; details?: { field?: string; problems?: { field: string; message: string }[] } } };

let h: ChannelsHost;
beforeAll(async () => { h = await startChannelsHost({ channels: ['telegram'] }); });
afterAll(async () => { await h?.stop(); });

/** `{ a: { a: { … } } }`, `depth` objects deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
}

/** A customer writes on Telegram through the fake platform; resolves with the stored conversation id. */
async function customerWrites(userId: string, text: string, account: 'main' | 'other' = 'main'): Promise<string> {
  const tenant = account === 'main' ? 'shop' : 'rival';
  const genuine = h.fakes.telegram.userMessage({ userId, text });
  const res = await fetch(h.webhookUrl('telegram', account), { method: 'POST', headers: signBody('telegram', h.configs.telegram[account], genuine.body, genuine.headers), body: genuine.body });
  expect(res.status).toBe(200);
  for (;;) {
    const found = (await h.stores.conversations.list(tenant, { limit: 100 })).find((c) => c.address.userId === userId);
    if (found && (await h.stores.messages.listByConversation(tenant, found.id, {})).length > 0) return found.id;
    await new Promise((r) => setTimeout(r, 10));
  }
}

const post = (path: string, body: unknown, key = KEY) => h.api<ErrorBody & Record<string, unknown>>(path, { method: 'POST', key, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** The JSON text of {@link nested} (JSON.stringify itself would overflow this test's stack). */
const nestedJson = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('finding 1: a content with an extra key holding 5,000 nested objects', () => {
  let shopStream: SseTestClient;
  let rivalStream: SseTestClient;
  let shopConversation: string;
  let rivalConversation: string;

  beforeAll(async () => {
    shopConversation = await customerWrites('777000101', 'hello shop');
    rivalConversation = await customerWrites('777000102', 'hello rival', 'other');
    shopStream = await openSse(`${h.url}/v1/events`, { authorization: `Bearer ${KEY}` });
    rivalStream = await openSse(`${h.url}/v1/events`, { authorization: `Bearer ${RIVAL_KEY}` });
    expect([shopStream.status, rivalStream.status]).toEqual([200, 200]);
  });
  afterAll(() => { shopStream?.close(); rivalStream?.close(); });

  it('is refused with 400 on every send route, nothing is stored, and every tenant and stream is served after', async () => {
    const before = await h.stored();
    const content = `{"type":"text","text":"hi","extra":${nestedJson(5_000)}}`;
    const send = `"channel":"telegram","accountId":"main","userId":"777000101","purpose":"service"`;
    const attacks = [
      await post('/v1/messages', `{${send},"content":${content}}`),
      await post('/v1/policy/evaluate', `{${send},"content":${content}}`),
      await post(`/v1/conversations/${shopConversation}/messages`, `{"content":${content}}`),
    ];
    for (const a of attacks) {
      expect(a.status).toBe(400);
      expect(a.body.error.code).toBe('VALIDATION_FAILED');
      // refused before any schema walks it: the body is deeper than any request the API declares
      expect(a.body.error.details!.problems).toEqual([{ field: 'body', message: 'nests deeper than 32 levels' }]);
    }
    expect(await h.stored()).toEqual(before);

    // the host is up, both tenants send and read, and both streams still carry events
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    const shopSend = await post(`/v1/conversations/${shopConversation}/messages`, { content: 'still here', sender: 'bot' });
    const rivalSend = await post(`/v1/conversations/${rivalConversation}/messages`, { content: 'still here too', sender: 'bot' }, RIVAL_KEY);
    expect([shopSend.status, rivalSend.status]).toEqual([202, 202]);
    expect((await h.api(`/v1/conversations/${shopConversation}/messages`)).status).toBe(200);
    expect((await h.api(`/v1/conversations/${rivalConversation}/messages`, { key: RIVAL_KEY })).status).toBe(200);
    await shopStream.until((events) => events.some((e) => e.data.includes('still here')));
    await rivalStream.until((events) => events.some((e) => e.data.includes('still here too')));
    expect(rivalStream.events.some((e) => e.data.includes(shopConversation))).toBe(false);
  });

  it('names every unknown key inside content (shallow ones reach the schema) and stores nothing', async () => {
    const before = await h.stored();
    const res = await post('/v1/messages', {
      channel: 'telegram', accountId: 'main', userId: '777000101', purpose: 'service',
      content: { type: 'interactive', body: 'Pick', buttons: [{ id: 'a', title: 'A', colour: 'red' }], extra: { x: 1 } },
      note: 'not a field',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details!.problems).toEqual(expect.arrayContaining([
      { field: 'content.buttons[0].colour', message: 'is not a known field' },
      { field: 'content.extra', message: 'is not a known field' },
      { field: 'note', message: 'is not a known field' },
    ]));
    expect(await h.stored()).toEqual(before);
  });

  it('bounds a rich payload: a generic JSON value at most 8 levels deep', async () => {
    const base = { channel: 'telegram', accountId: 'main', userId: '777000101', purpose: 'service' };
    const deep = await post('/v1/policy/evaluate', { ...base, content: { type: 'rich', kind: 'carousel', payload: nested(12), fallbackText: 'x' } });
    expect(deep.status).toBe(400);
    expect(deep.body.error.details!.problems).toEqual([{ field: 'content.payload', message: 'nests deeper than 8 levels' }]);
    const fine = await post('/v1/policy/evaluate', { ...base, content: { type: 'rich', kind: 'carousel', payload: nested(8), fallbackText: 'x' } });
    expect(fine.status).toBe(200);
  });

  it('answers a value too deep for an answer already in the store (written before the schemas) cut at 64 levels, not with a 500, and a stream carrying it goes on', async () => {
    // 500 levels: as deep as the store itself can write (5,000 overflowed its serialiser too)
    const poisoned: HostMessage = {
      id: randomUUID(), tenantId: 'shop', conversationId: shopConversation, direction: 'outbound', channel: 'telegram',
      content: { type: 'rich', kind: 'carousel', payload: nested(500) }, status: 'queued',
      timestamp: new Date(), createdAt: new Date(),
    } as HostMessage;
    await h.stores.messages.insert(poisoned);
    const res = await h.api<{ items: HostMessage[] }>(`/v1/conversations/${shopConversation}/messages?limit=500`);
    expect(res.status).toBe(200);
    const served = res.body.items.find((m) => m.id === poisoned.id)!;
    expect(JSON.stringify(served)).toContain('[truncated]');

    // the notice reaches the streams through the serialiser that cannot throw
    const conversation = (await h.stores.conversations.get('shop', shopConversation))!;
    const contact = (await h.stores.contacts.get('shop', conversation.contactId))!;
    h.hosts[0]!.streams.inbound$.next({ tenantId: 'shop', message: poisoned, conversation, contact });
    await shopStream.until((events) => events.some((e) => e.data.includes(poisoned.id)));
    const after = await post(`/v1/conversations/${shopConversation}/messages`, { content: 'after the poison', sender: 'bot' });
    expect(after.status).toBe(202);
    await shopStream.until((events) => events.some((e) => e.data.includes('after the poison')));
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });
});

describe('the knowledge-base keywords can be set', () => {
  it('stores keywords given as strings and refuses anything else naming the item', async () => {
    const settings = {
      quickReplies: [{ title: 'Hours', text: 'Open 9–17' }],
      knowledgeBase: [{ title: 'Returns', url: 'https://shop.example/returns', keywords: ['refund', 'return'] }],
    };
    const put = await h.api<{ knowledgeBase: { keywords?: string[] }[] }>('/v1/console/settings', { method: 'PUT', body: JSON.stringify(settings) });
    expect(put.status).toBe(200);
    expect(put.body.knowledgeBase[0]!.keywords).toEqual(['refund', 'return']);
    const read = await h.api<{ knowledgeBase: { id: string; keywords?: string[] }[] }>('/v1/console/settings');
    expect(read.body.knowledgeBase).toEqual([expect.objectContaining({ id: 'kb-1', keywords: ['refund', 'return'] })]);

    const objects = await h.api<ErrorBody>('/v1/console/settings', { method: 'PUT', body: JSON.stringify({ knowledgeBase: [{ ...settings.knowledgeBase[0], keywords: [{ word: 'refund' }, 'ok', ''] }] }) });
    expect(objects.status).toBe(400);
    expect(objects.body.error.details!.problems!.map((p) => p.field)).toEqual(['knowledgeBase[0].keywords[0]', 'knowledgeBase[0].keywords[2]']);
  });
});

describe('evidence is the server\'s', () => {
  let contactId: string;
  beforeAll(async () => {
    const conversation = await customerWrites('777000201', 'hello consent');
    contactId = (await h.stores.conversations.get('shop', conversation))!.contactId;
  });

  it('refuses a caller-chosen source (keyword with an invented message id) and records nothing', async () => {
    for (const source of ['keyword', 'platform', 'opt-in-flow', 'api']) {
      const res = await post(`/v1/contacts/${contactId}/consent`, { action: 'opt-in', purpose: 'marketing', evidence: { source, reference: 'invented-message-id' } });
      expect(res.status).toBe(400);
      expect(res.body.error.details!.problems).toEqual([{ field: 'evidence.source', message: 'is not a known field' }]);
    }
    const recordedBy = await post(`/v1/contacts/${contactId}/consent`, { action: 'opt-out', evidence: { recordedBy: 'agent:someone-else' } });
    expect(recordedBy.status).toBe(400);
    expect(await h.stores.consent.listByContact('shop', contactId)).toEqual([]);
    // an opt-in flow's first step cannot claim a keyword either (the host records keyword steps)
    const flow = await post('/v1/opt-ins', { purpose: 'marketing', source: 'keyword', channels: ['telegram'], contactId });
    expect(flow.status).toBe(400);
    expect(flow.body.error.details!.problems!.map((p) => p.field)).toEqual(['source']);
  });

  it('records source api naming the key by id, never the key, with what the caller described', async () => {
    const res = await post(`/v1/contacts/${contactId}/consent`, { action: 'opt-in', purpose: 'marketing', evidence: { wording: 'Yes, offers please', reference: 'form-42', detail: 'checkbox on the order page' } });
    expect(res.status).toBe(201);
    const evidence = (res.body as unknown as { evidence: Record<string, string> }).evidence;
    expect(evidence).toEqual({ wording: 'Yes, offers please', reference: 'form-42', detail: 'checkbox on the order page', source: 'api', recordedBy: expect.stringMatching(/^api-key:\S+$/) });
    expect(evidence.recordedBy).not.toContain(KEY);
    expect((await h.stores.consent.listByContact('shop', contactId)).map((e) => e.evidence)).toEqual([evidence]);
  });
});
