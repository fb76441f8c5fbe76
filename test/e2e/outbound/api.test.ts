/**
 * The outbound REST API's edges: validation (400 naming every bad field), unknown accounts (404),
 * templates on a channel without platform review, notifications per recipient, broadcast refused
 * where the channel forbids it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost, type Host } from '@switchboard/host';
import messenger, { FakeMessengerServer } from '@switchboard/messenger';
import viber, { FakeViberServer } from '@switchboard/viber';
import { eventually } from '../support/host-harness.js';
import { tempDatabase } from '../../../host/src/__fixtures__/temp-database.js';

const KEY = 'outbound-api-key-0123456789abcdef';
type Body = { error?: { code: string; message: string; details?: { problems?: { field: string }[] }; reasons?: { code: string }[] } } & Record<string, unknown>;

describe('outbound REST API', () => {
  let host: Host;
  let url: string;
  const viberFake = new FakeViberServer();
  const messengerFake = new FakeMessengerServer();
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body };
  };
  const VIBER_USERS = ['01234567890A=', '01234567890B=', '01234567890C='];

  beforeAll(async () => {
    await viberFake.start();
    await messengerFake.start();
    host = await createHost(configFromObject({ store: tempDatabase(),
      logLevel: 'silent',
      tenants: [{ id: 'air', apiKeys: [KEY] }],
      connectors: [
        { package: '@switchboard/viber', plugin: viber, required: true, accounts: [{ id: 'main', config: viberFake.connectorConfig() }] },
        { package: '@switchboard/messenger', plugin: messenger, required: true, accounts: [{ id: 'main', config: messengerFake.connectorConfig() }] },
      ],
    }), { logger: silentLogger, processor: { pollMs: 20 }, outbound: { dispatcher: { pollMs: 20 } } });
    ({ url } = await host.listen(0, '127.0.0.1'));
    for (const userId of VIBER_USERS) {
      expect((await viberFake.deliver(`${url}/webhooks/viber/main`, viberFake.userMessage({ userId, text: 'hi' }))).status).toBe(200);
    }
    await eventually(async () => (await host.stores.conversations.list('air')).length === VIBER_USERS.length);
  });
  afterAll(async () => {
    await host?.stop();
    await viberFake.stop();
    await messengerFake.stop();
  });

  it('answers invalid requests with 400 naming every bad field, never a 500', async () => {
    const bad = await call('POST', '/v1/messages', { channel: 3, content: { type: 'nope' }, purpose: 'spam' });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error!.details!.problems!.map((p) => p.field)).toEqual(expect.arrayContaining(['channel', 'accountId', 'userId', 'content.type', 'purpose']));
    expect((await call('POST', '/v1/messages', '{"not json')).status).toBe(400);
    expect((await call('POST', '/v1/messages', [])).status).toBe(400);
    expect((await call('POST', '/v1/policy/evaluate', {})).status).toBe(400);
    expect((await call('POST', '/v1/notifications', { channel: 'viber' })).status).toBe(400);
  });

  it('answers 404 for an account the tenant does not have', async () => {
    const r = await call('POST', '/v1/messages', { channel: 'viber', accountId: 'elsewhere', userId: 'x', content: { type: 'text', text: 'hi' }, purpose: 'service', sender: 'bot' });
    expect(r.status).toBe(404);
    expect(r.body.error!.code).toBe('NOT_FOUND');
  });

  it('keeps templates per channel: draft → submitted → approved by an admin where the platform does not review them', async () => {
    const invalid = await call('POST', '/v1/templates', { channel: 'viber', name: 'Gate Change!', language: 'english', category: 'utility', body: 'Gate {{2}}' });
    expect(invalid.status).toBe(400);
    expect((await call('POST', '/v1/templates', { channel: 'sms', name: 'gate_change', language: 'en', category: 'utility', body: 'x' })).status).toBe(400);
    const created = await call('POST', '/v1/templates', { channel: 'viber', name: 'gate_change', language: 'en', category: 'utility', body: 'Flight {{1}} now boards at gate {{2}}.' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', channel: 'viber' });
    expect((await call('POST', '/v1/templates', { channel: 'viber', name: 'gate_change', language: 'en', category: 'utility', body: 'again' })).status).toBe(409);
    const id = created.body.id as string;
    expect((await call('POST', `/v1/templates/${id}/status`, { status: 'approved' })).body).toMatchObject({ status: 'approved' });
    // approved directly from draft is allowed on a channel without review; a second submit is a conflict
    expect((await call('POST', `/v1/templates/${id}/submit`, {})).status).toBe(409);
    expect((await call('GET', '/v1/templates?channel=viber&status=approved')).body.items).toEqual([expect.objectContaining({ id })]);
    expect((await call('GET', '/v1/templates?status=bogus')).status).toBe(400);
    expect((await call('GET', '/v1/templates/nope')).status).toBe(404);
  });

  it('notifies each recipient on its own and reports who was queued and who was refused, and why', async () => {
    const contacts = await host.stores.contacts.list('air');
    const withConsent = contacts.find((c) => c.addresses[0]!.userId === VIBER_USERS[0])!;
    await call('POST', `/v1/contacts/${withConsent.id}/consent`, { action: 'opt-in', purpose: 'marketing', topic: 'flight updates', channel: 'viber' });
    const answer = await call('POST', '/v1/notifications', {
      channel: 'viber', accountId: 'main', purpose: 'marketing', topic: 'flight updates',
      content: { type: 'template', name: 'gate_change', language: 'en', category: 'utility', parameters: [{ text: 'LH 123' }, { text: 'B12' }] },
      recipients: VIBER_USERS.map((userId) => ({ userId })),
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ queued: 1, denied: 2 });
    const results = answer.body.results as { userId: string; status: string; reasons?: { code: string }[] }[];
    expect(results.find((r) => r.userId === VIBER_USERS[0])).toMatchObject({ status: 'queued' });
    for (const r of results.filter((x) => x.userId !== VIBER_USERS[0])) expect(r.reasons!.map((x) => x.code)).toContain('NO_CONSENT');
    await eventually(async () => viberFake.requests.some((r) => r.path.endsWith('/send_message') && (r.body as { receiver?: string }).receiver === VIBER_USERS[0]));
  });

  it('lets the business write to a Viber user who subscribed without writing (subscribing is reaching out)', async () => {
    const user = '01234567890S=';
    const before = await call('POST', '/v1/policy/evaluate', { channel: 'viber', accountId: 'main', userId: user, content: { type: 'text', text: 'Welcome aboard' }, purpose: 'service', sender: 'bot' });
    expect(before.body.decision).toMatchObject({ allowed: false, reasons: [expect.objectContaining({ code: 'USER_MUST_INITIATE' })] });
    expect((await viberFake.deliver(`${url}/webhooks/viber/main`, viberFake.subscribedEvent({ id: user, name: 'Sam' }))).status).toBe(200);
    const sent = await eventually(async () => {
      const r = await call('POST', '/v1/messages', { channel: 'viber', accountId: 'main', userId: user, content: { type: 'text', text: 'Welcome aboard' }, purpose: 'service', sender: 'bot' });
      return r.status === 202 ? r : undefined;
    });
    expect(sent.body).toMatchObject({ status: 'queued' });
    // regression: the dry run refused a body with only conversationId ("channel is required"), though the send route takes it
    const conversationId = (sent.body as { conversationId?: string }).conversationId;
    expect(conversationId).toEqual(expect.any(String));
    const dry = await call('POST', '/v1/policy/evaluate', { conversationId, content: { type: 'text', text: 'Anything else?' }, purpose: 'service', sender: 'bot' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ verdict: 'allowed', allowed: true });
  });

  it('refuses a broadcast on a channel that forbids it (Messenger)', async () => {
    const answer = await call('POST', '/v1/notifications', {
      channel: 'messenger', accountId: 'main', purpose: 'transactional', topic: 'flight updates',
      content: { type: 'template', name: 'gate_change', language: 'en', category: 'utility', parameters: [{ text: 'LH 123' }, { text: 'B12' }] },
      recipients: [{ userId: '6800000000000001' }, { userId: '6800000000000002' }],
    });
    expect(answer.status).toBe(422);
    const results = answer.body.results as { reasons: { code: string }[] }[];
    for (const r of results) expect(r.reasons.map((x) => x.code)).toContain('BROADCAST_FORBIDDEN');
  });

  it('explains the effective policy in a dry run without storing anything', async () => {
    const before = (await host.stores.messages.listByStatus('air', 'queued')).length;
    const r = await call('POST', '/v1/policy/evaluate', { channel: 'viber', accountId: 'main', userId: VIBER_USERS[1], content: { type: 'text', text: 'Sale!' }, purpose: 'marketing', sender: 'bot' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ allowed: false });
    expect(typeof r.body.explanation).toBe('string');
    expect(Array.isArray(r.body.effective)).toBe(true);
    expect((await host.stores.messages.listByStatus('air', 'queued')).length).toBe(before);
    // the dry run finds the contact of an address and its ledger: an opted-in customer is allowed
    const optedIn = await call('POST', '/v1/policy/evaluate', { channel: 'viber', accountId: 'main', userId: VIBER_USERS[0], content: { type: 'text', text: 'Gate news' }, purpose: 'marketing', topic: 'flight updates', sender: 'bot' });
    expect(optedIn.body).toMatchObject({ allowed: true });
  });

  it('regression: the dry run says in words whether the message is allowed and why, leading with the verdict', async () => {
    const refused = await call('POST', '/v1/policy/evaluate', { channel: 'viber', accountId: 'main', userId: VIBER_USERS[1], content: { type: 'text', text: 'New cigars in store' }, purpose: 'marketing', sender: 'bot', commerceCategory: 'tobacco' });
    expect(refused.status).toBe(200);
    expect(Object.keys(refused.body).slice(0, 3)).toEqual(['verdict', 'summary', 'reasons']);
    expect(refused.body.verdict).toBe('refused');
    expect(refused.body.summary).toMatch(/^Refused: /);
    expect(refused.body.summary).toContain('(the law)');
    expect(refused.body.reasons).toContainEqual(expect.objectContaining({ code: 'RESTRICTED_COMMERCE', source: 'law', rule: 'restrictedCommerce', url: expect.stringContaining('eur-lex.europa.eu') }));
    const allowed = await call('POST', '/v1/policy/evaluate', { channel: 'viber', accountId: 'main', userId: VIBER_USERS[0], content: { type: 'text', text: 'Gate news' }, purpose: 'marketing', topic: 'flight updates', sender: 'bot' });
    expect(allowed.body).toMatchObject({ verdict: 'allowed', reasons: [], summary: expect.stringMatching(/^Allowed: .* priced /) });
  });
});
