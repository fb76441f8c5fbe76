/**
 * End-to-end through the REST API: the decision record of a sent message and of a refusal, each
 * within its tenant and behind the `read` scope; the compliance report behind `compliance:export`,
 * its period validated (typed 400s, never a 500); the GDPR export with the decision records; the
 * OpenAPI entries with their operationIds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '@switchboard/core';
import { API_KEY, OTHER_KEY, eventually, startHost, type RunningHost } from '../support/host-harness.js';

const READ_KEY = 'decisions-read-only-key-0123456789';
type List<T> = { items: T[] };
type Err = { error: { code: string; message: string; decisionId?: string; details?: Record<string, unknown> } };

describe('decision records and the compliance report through the API', () => {
  let h: RunningHost;
  let conversation: Conversation;
  // a period around the host's (wall) clock wide enough that a run across midnight stays inside it
  const today = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    h = await startHost({ tenant: { apiKeys: [API_KEY, { key: READ_KEY, scopes: ['read'] }] } });
    await h.fake.deliver(h.webhookUrl, h.fake.userMessage({ userId: 'u-anna', text: 'hello', name: 'Anna' }));
    conversation = await eventually(async () => (await h.api<List<Conversation>>('/v1/conversations')).body.items[0]);
  });
  afterAll(async () => { await h?.stop(); });

  const send = (body: Record<string, unknown>) => h.api<Record<string, unknown> & Err>('/v1/messages', {
    method: 'POST', body: JSON.stringify({ channel: 'acme', accountId: 'main', conversationId: conversation.id, userId: 'u-anna', sender: 'bot', ...body }),
  });

  it('regression: GET /v1/messages/:id/decision returns why a sent message was allowed, within its tenant, with the read scope', async () => {
    const sent = await send({ content: { type: 'text', text: 'Your order is ready' }, purpose: 'service' });
    expect(sent.status).toBe(202);
    expect(sent.body.decisionId).toEqual(expect.any(String));
    const id = String(sent.body.id);
    const got = await h.api<Record<string, unknown>>(`/v1/messages/${id}/decision`, { key: READ_KEY });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: sent.body.decisionId, messageId: id, verdict: 'allow', channel: 'acme', intent: { purpose: 'service' }, versions: { tenantPolicy: expect.stringMatching(/^sha256:/) } });
    expect(got.body.effective).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'serviceWindowHours', sources: ['channel'] })]));
    expect((await h.api<Err>(`/v1/messages/${id}/decision`, { key: OTHER_KEY })).status).toBe(404);
    expect((await h.api<Err>('/v1/messages/no-such-message/decision')).body.error.code).toBe('NOT_FOUND');
  });

  it('regression: a refusal through POST /v1/messages answers a decisionId the integrator can fetch', async () => {
    const refused = await send({ content: { type: 'text', text: 'Autumn sale' }, purpose: 'marketing' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'POLICY_DENIED', decisionId: expect.any(String), details: { decisionId: expect.any(String) } });
    const record = await h.api<Record<string, unknown>>(`/v1/decisions/${refused.body.error.decisionId!}`, { key: READ_KEY });
    expect(record.status).toBe(200);
    expect(record.body).toMatchObject({ verdict: 'deny', reasons: [expect.objectContaining({ code: 'NO_CONSENT' })] });
    expect((await h.api<Err>(`/v1/decisions/${refused.body.error.decisionId!}`, { key: OTHER_KEY })).status).toBe(404);
  });

  it('reports marketing sends with the consent each relied on, and no send that left after a withdrawal', async () => {
    const consent = await h.api<{ id: string }>(`/v1/contacts/${conversation.contactId}/consent`, {
      method: 'POST', body: JSON.stringify({ action: 'opt-in', purpose: 'marketing', channel: 'acme', evidence: { wording: 'Send me offers', reference: 'form-9' } }),
    });
    expect(consent.status).toBe(201);
    const sent = await send({ content: { type: 'text', text: 'Autumn sale' }, purpose: 'marketing' });
    expect(sent.status).toBe(202);
    await eventually(async () => (await h.host.stores.messages.get('t1', String(sent.body.id)))?.status === 'sent');
    const report = await h.api<{ sends: { items: { messageId: string; kind: string; status: string; consent: { id: string }[]; leftAt?: string }[] }; withdrawnBeforeSend: unknown[]; totals: Record<string, number> }>(`/v1/compliance/report?from=${today}&to=${tomorrow}`);
    expect(report.status).toBe(200);
    expect(report.body.sends.items).toEqual([expect.objectContaining({ messageId: sent.body.id, kind: 'marketing', status: 'sent', consent: [expect.objectContaining({ id: consent.body.id })], leftAt: expect.any(String) })]);
    expect(report.body.withdrawnBeforeSend).toEqual([]);
    // the report is about many contacts' consent: not for a read-only key
    expect((await h.api<Err>(`/v1/compliance/report?from=${today}&to=${tomorrow}`, { key: READ_KEY })).status).toBe(403);
    // the contact's export carries the decision records of its messages
    const exported = await h.api<{ decisions: { verdict: string }[] }>(`/v1/contacts/${conversation.contactId}/export`);
    expect(exported.body.decisions.map((d) => d.verdict)).toEqual(expect.arrayContaining(['allow', 'deny']));
  });

  it('validates the report\'s period: typed 400s naming the field, never a 500', async () => {
    for (const [query, field] of [
      ['', 'from'], [`from=${today}`, 'to'], ['from=yesterday&to=2026-12-05', 'from'], [`from=${tomorrow}&to=${today}`, 'to'],
      ['from=2024-01-01&to=2026-01-01', 'to'], [`from=${today}&to=${tomorrow}&limit=0`, 'limit'], [`from=${today}&to=${tomorrow}&extra=1`, 'extra'],
    ] as const) {
      const res = await h.api<Err>(`/v1/compliance/report?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details), query).toContain(field);
    }
  });

  it('documents the routes with response schemas and operationIds', async () => {
    const doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string; responses: Record<string, { content?: unknown }> }>> };
    expect(doc.paths['/v1/messages/{id}/decision']?.get?.operationId).toBe('getMessageDecision');
    expect(doc.paths['/v1/decisions/{id}']?.get?.operationId).toBe('getDecision');
    expect(doc.paths['/v1/compliance/report']?.get?.operationId).toBe('getComplianceReport');
    for (const p of ['/v1/messages/{id}/decision', '/v1/decisions/{id}', '/v1/compliance/report']) expect(doc.paths[p]?.get?.responses['200']?.content).toBeDefined();
  });
});
