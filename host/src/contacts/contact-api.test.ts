/**
 * The contact API of issue 20 over real HTTP, on a host whose store is an SQLite file and whose
 * messages arrive as signed webhooks from the fake platforms (the sandbox): a customer writes on
 * WhatsApp and on Telegram, the Telegram address cannot be linked (its first message made a
 * contact of its own: 409 naming the merge), the merge folds it in — addresses, conversations, the
 * consent ledger with its evidence, notes — and the timeline shows both channels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type ConsentEntry, type Contact } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../host.js';
import { createSandbox, type Sandbox } from '../sandbox.js';

const KEY = 'contact-api-test-key-0123456789';
const OTHER = 'contact-api-other-tenant-key-0123456789';

describe('contacts over REST: update, link → merge, timeline', () => {
  let host: Host;
  let sandbox: Sandbox;
  let dir: string;
  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, key = KEY): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${host.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() as T };
  };
  /** Waits for the inbox worker to have made the contact of an address (a condition, not a duration). */
  const contactOf = async (userId: string): Promise<Contact> => {
    for (let i = 0; i < 2_000; i++) {
      const { body } = await api<{ items: Contact[] }>('GET', '/v1/contacts?limit=500');
      const found = body.items.find((c) => c.addresses.some((a) => a.userId === userId));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no contact for ${userId}`);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-contact-api-'));
    sandbox = await createSandbox({
      packages: ['@switchboard/whatsapp', '@switchboard/telegram'], env: { SWITCHBOARD_API_KEY: KEY }, logger: silentLogger, port: 0,
      database: join(dir, 'sb.db'), receipts: { enabled: false },
    });
    const config = { ...sandbox.config, tenants: [...sandbox.config.tenants, { ...sandbox.config.tenants[0]!, id: 'other', apiKeys: [OTHER] }] };
    host = await createHost(config as typeof sandbox.config, { logger: silentLogger, ...sandbox.hostOptions });
    await host.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await host?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('changes a contact\'s name, locale, time zone, tags, CRM reference and attributes; refuses bad input with 400', async () => {
    expect((await api('POST', '/sandbox/whatsapp/messages', { userId: '41790000001', text: 'hello', name: 'Ann' })).status).toBe(202);
    const ann = await contactOf('41790000001');
    const patched = await api<Contact>('PATCH', `/v1/contacts/${ann.id}`, {
      name: 'Ann Muster', locale: 'de-ch', timeZone: 'Europe/Zurich', tags: [' vip ', 'vip', 'garage'], crmRef: 'CRM-1001', attributes: { tier: 'gold', visits: 3, fleet: false },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: ann.id, profile: { name: 'Ann Muster', locale: 'de-CH', timeZone: 'Europe/Zurich' }, tags: ['vip', 'garage'], crmRef: 'CRM-1001',
      attributes: { tier: 'gold', visits: 3, fleet: false },
    });
    // attributes merge key by key; null removes one, and clears a field
    const again = await api<Contact>('PATCH', `/v1/contacts/${ann.id}`, { attributes: { visits: 4, fleet: null }, crmRef: null });
    expect(again.body.attributes).toEqual({ tier: 'gold', visits: 4 });
    expect(again.body).not.toHaveProperty('crmRef');

    for (const bad of [
      { timeZone: 'Mars/Olympus' }, { locale: 'not a locale!' }, { nickname: 'x' }, {}, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) },
      { attributes: { '1st': 'x' } }, { attributes: { nested: { a: 1 } } }, { name: 'x'.repeat(201) },
      { attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i])) },
    ]) {
      const r = await api<{ error: { code: string } }>('PATCH', `/v1/contacts/${ann.id}`, bad);
      expect([JSON.stringify(bad).slice(0, 40), r.status, r.body.error.code]).toEqual([JSON.stringify(bad).slice(0, 40), 400, 'VALIDATION_FAILED']);
    }
    // 49 stored + 2 new would exceed 50: refused as a whole
    await api('PATCH', `/v1/contacts/${ann.id}`, { attributes: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, i])) });
    const over = await api<{ error: { code: string; details: { field: string } } }>('PATCH', `/v1/contacts/${ann.id}`, { attributes: { y1: 1, y2: 2 } });
    expect([over.status, over.body.error.code, over.body.error.details.field]).toEqual([400, 'VALIDATION_FAILED', 'attributes']);
    await api('PATCH', `/v1/contacts/${ann.id}`, { attributes: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`k${i}`, null])) });

    // another tenant's key finds nothing
    expect((await api('PATCH', `/v1/contacts/${ann.id}`, { name: 'Eve' }, OTHER)).status).toBe(404);
    expect((await api('PATCH', '/v1/contacts/no-such-contact', { name: 'Eve' })).status).toBe(404);
  });

  it('regression: linking a second channel after its first message answered a bare 409 — now the 409 names the merge, and the merge links it', async () => {
    const ann = await contactOf('41790000001');
    expect((await api('POST', '/sandbox/telegram/messages', { userId: '5550001', text: 'it is Ann, on Telegram now' })).status).toBe(202);
    const tele = await contactOf('5550001');
    expect(tele.id).not.toBe(ann.id);
    // the Telegram contact has a ledger entry with evidence, and a note
    const consent = await api<ConsentEntry>('POST', `/v1/contacts/${tele.id}/consent`, { action: 'opt-in', purpose: 'marketing', channel: 'telegram', evidence: { wording: 'News about your car?', reference: 'tg-msg-1' } });
    expect(consent.status).toBe(201);
    await host.stores.agents.addNote({ id: 'note-1', tenantId: tele.tenantId, contactId: tele.id, agentId: 'a1', authorName: 'Ana', text: 'prefers Telegram', at: new Date() });

    const link = await api<{ error: { code: string; details: { contactId: string; merge: { method: string; path: string; body: { contactId: string } } } } }>('POST', `/v1/contacts/${ann.id}/addresses`, { channel: 'telegram', userId: '5550001' });
    expect(link.status).toBe(409);
    expect(link.body.error.details).toEqual({ contactId: tele.id, merge: { method: 'POST', path: `/v1/contacts/${ann.id}/merge`, body: { contactId: tele.id } } });

    const { merge } = link.body.error.details;
    const merged = await api<{ id: string; contactId: string; intoContactId: string; state: string; conversationIds: string[]; consentEntries: number; notes: number; actor: string; contact: Contact }>(merge.method, merge.path, merge.body);
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ contactId: tele.id, intoContactId: ann.id, state: 'done', consentEntries: 1, notes: 1 });
    expect(merged.body.actor).toMatch(/^api-key:/);
    expect(merged.body.conversationIds).toHaveLength(1);
    expect(merged.body.contact.addresses.map((a) => a.channel)).toEqual(['whatsapp', 'telegram']);

    // the address is linked now; the merged contact is gone; its conversation is the remaining contact's
    expect((await api('POST', `/v1/contacts/${ann.id}/addresses`, { channel: 'telegram', userId: '5550001' })).status).toBe(200);
    expect((await api('GET', `/v1/contacts/${tele.id}`)).status).toBe(404);
    expect((await api<Record<string, unknown>>('GET', `/v1/conversations/${merged.body.conversationIds[0]}`)).body.contactId).toBe(ann.id);
    // the consent ledger came along with its evidence, and the state follows it
    const ledger = await api<{ history: ConsentEntry[]; state: Record<string, { grants: { purpose: string }[] }> }>('GET', `/v1/contacts/${ann.id}/consent`);
    const copied = ledger.body.history.find((e) => e.mergedFrom?.entryId === consent.body.id);
    expect(copied).toMatchObject({ contactId: ann.id, action: 'opt-in', purpose: 'marketing', evidence: { wording: 'News about your car?', reference: 'tg-msg-1' }, mergedFrom: { contactId: tele.id } });
    expect(ledger.body.state.telegram!.grants.map((g) => g.purpose)).toContain('marketing');
    expect((await host.stores.agents.listNotes(ann.tenantId, ann.id)).map((x) => x.text)).toEqual(['prefers Telegram']);
    // the merge record, on both contacts' ids
    expect((await api<{ items: { id: string }[] }>('GET', `/v1/contacts/${ann.id}/merges`)).body.items.map((m) => m.id)).toEqual([merged.body.id]);

    // asking again answers the same merge; a later message on Telegram lands on the remaining contact
    const repeated = await api<{ id: string }>('POST', `/v1/contacts/${ann.id}/merge`, { contactId: tele.id });
    expect([repeated.status, repeated.body.id]).toEqual([200, merged.body.id]);
    await api('POST', '/sandbox/telegram/messages', { userId: '5550001', text: 'and again' });
    for (let i = 0; i < 2_000; i++) {
      const { body } = await api<{ items: { message: { content: { text?: string } } }[] }>('GET', `/v1/contacts/${ann.id}/timeline`);
      if (body.items.some((e) => e.message.content.text === 'and again')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await api<{ items: Contact[] }>('GET', '/v1/contacts?limit=500')).body.items.filter((c) => c.addresses.some((a) => a.userId === '5550001')).map((c) => c.id)).toEqual([ann.id]);
  });

  it('refuses merges that cannot be: itself, unknown, another tenant\'s, bad bodies', async () => {
    const ann = await contactOf('41790000001');
    expect((await api<{ error: { code: string } }>('POST', `/v1/contacts/${ann.id}/merge`, { contactId: ann.id })).status).toBe(400);
    expect((await api('POST', `/v1/contacts/${ann.id}/merge`, { contactId: 'no-such-contact' })).status).toBe(404);
    expect((await api('POST', `/v1/contacts/${ann.id}/merge`, { contactId: 'x', extra: 1 })).status).toBe(400);
    expect((await api('POST', `/v1/contacts/${ann.id}/merge`, { contactId: 'x'.repeat(300) })).status).toBe(400);
    expect((await api('POST', '/v1/contacts/no-such-contact/merge', { contactId: ann.id }, OTHER)).status).toBe(404);
    expect((await api('GET', `/v1/contacts/${ann.id}/timeline`, undefined, OTHER)).status).toBe(404);
    expect((await api('GET', `/v1/contacts/${ann.id}/merges`, undefined, OTHER)).status).toBe(404);
  });

  it('pages a contact\'s timeline across channels, newest first', async () => {
    const ann = await contactOf('41790000001');
    const all = await api<{ items: { channel: string; at: string; message: { content: { text?: string } } }[]; conversations: unknown[] }>('GET', `/v1/contacts/${ann.id}/timeline`);
    expect(all.status).toBe(200);
    expect(all.body.conversations).toHaveLength(2);
    expect(new Set(all.body.items.map((e) => e.channel))).toEqual(new Set(['whatsapp', 'telegram']));
    const times = all.body.items.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const second = await api<{ items: unknown[]; limit: number; offset: number }>('GET', `/v1/contacts/${ann.id}/timeline?limit=1&offset=1`);
    expect(second.body).toMatchObject({ limit: 1, offset: 1 });
    expect(second.body.items).toEqual([all.body.items[1]]);
    expect((await api('GET', `/v1/contacts/${ann.id}/timeline?limit=0`)).status).toBe(400);
    expect((await api('GET', `/v1/contacts/${ann.id}/timeline?cursor=x`)).status).toBe(400);
  });
  it('erasing the remaining contact erases what the merge carried: the merged contact\'s ledger entries become proofs, the merge records go', async () => {
    const ann = await contactOf('41790000001');
    const [merge] = await host.stores.contactMerges.listByContact(ann.tenantId, ann.id);
    expect(merge).toBeDefined();
    expect((await host.stores.consent.listByContact(ann.tenantId, merge!.contactId)).length).toBe(1);
    const erased = await api<{ deleted: { contactMerges: number } }>('DELETE', `/v1/contacts/${ann.id}`);
    expect(erased.status).toBe(200);
    expect(erased.body.deleted.contactMerges).toBe(1);
    expect(await host.stores.consent.listByContact(ann.tenantId, merge!.contactId)).toEqual([]);
    expect(await host.stores.contactMerges.listByContact(ann.tenantId, ann.id)).toEqual([]);
    expect(await host.stores.contactMerges.findByMerged(ann.tenantId, merge!.contactId)).toBeUndefined();
  });
});
