/**
 * `GET /v1/search` over real HTTP on a host with an SQLite file: the answer's shape (checked with
 * the schema the OpenAPI document is made from), bad queries answered 400, tenants kept apart, and
 * erasure through `DELETE /v1/contacts/:id` taking the text out of the index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Address } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load-config.js';
import { createHost, type Host } from '../host.js';
import type { z } from 'zod';
import { SearchPageSchema } from './search-schemas.js';

type Page = z.infer<typeof SearchPageSchema>;
type Hit = Page['items'][number];
type Answer = Page & { error: { code: string; message: string } };

const KEY_A = 'search-api-tenant-a-key-0123456789';
const KEY_B = 'search-api-tenant-b-key-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'switchboard-search-api-'));

describe('GET /v1/search', () => {
  let host: Host;
  let url: string;
  const get = async (key: string, query: string): Promise<{ status: number; body: Answer }> => {
    const res = await fetch(`${url}/v1/search?${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: await res.json() as Answer };
  };

  const seed = async (tenantId: string, userId: string, name: string, texts: string[]): Promise<string> => {
    const address: Address = { channel: 'whatsapp', accountId: 'main', userId };
    const now = new Date('2026-06-01T10:00:00Z');
    const { contact } = await host.stores.contacts.findOrCreateByAddress(tenantId, address, () => ({ id: `k-${tenantId}-${userId}`, tenantId, addresses: [address], profile: { name }, createdAt: now, updatedAt: now }));
    const { conversation } = await host.stores.conversations.findOrCreate(tenantId, address, () => ({
      id: `c-${tenantId}-${userId}`, tenantId, contactId: contact.id, address, status: 'open', assignee: { kind: 'queue', queue: 'desk' }, tags: ['vip'], createdAt: now, updatedAt: now,
    }));
    for (const [i, text] of texts.entries()) {
      const at = new Date(now.getTime() + i * 60_000);
      await host.stores.messages.insert({
        id: `${conversation.id}-m${i}`, tenantId, conversationId: conversation.id, channel: 'whatsapp', accountId: 'main', userId, direction: 'inbound',
        externalId: `wamid.${userId}.${i}`, content: { type: 'text', text }, status: 'delivered', timestamp: at, createdAt: at, updatedAt: at,
      });
    }
    return contact.id;
  };

  beforeAll(async () => {
    host = await createHost(configFromObject({
      store: { kind: 'sqlite', path: join(dir, 'search.db') }, logLevel: 'silent',
      tenants: [{ id: 'a', apiKeys: [KEY_A] }, { id: 'b', apiKeys: [KEY_B] }],
      connectors: [],
    }), { logger: silentLogger });
    ({ url } = await host.listen(0, '127.0.0.1'));
    await seed('a', '4915112345678', 'Anna Müller', ['Is my car ready?', 'The <b>brake</b> light is on & blinking']);
    await seed('a', '4930111222', 'Bert', ['no match here']);
    await seed('b', '4915112345678', 'Other Anna', ['brake light too']);
  });
  afterAll(async () => {
    await host?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers hits with snippets and ranges, as the schema says', async () => {
    const { status, body } = await get(KEY_A, 'q=brake+light');
    expect(status).toBe(200);
    expect(SearchPageSchema.parse(body)).toEqual(body);
    expect(body.items).toHaveLength(1);
    const [hit] = body.items;
    expect(hit.conversation.id).toBe('c-a-4915112345678');
    expect(hit.contact).toEqual({ id: 'k-a-4915112345678', name: 'Anna Müller' });
    expect(hit.message.id).toBe('c-a-4915112345678-m1');
    // the text as stored (markup is the reader's to escape), the ranges of the words
    expect(hit.matches).toEqual([{ field: 'message', path: 'content.text', text: 'The <b>brake</b> light is on & blinking', hits: [[7, 12], [17, 22]] }]);
  });

  it('finds by name, partial number, tag; filters and pages', async () => {
    expect((await get(KEY_A, 'q=m%C3%BCller')).body.items.map((h: Hit) => h.matches[0].field)).toEqual(['contactName']);
    expect((await get(KEY_A, 'q=%2B49%20151%20123')).body.items.map((h: Hit) => h.conversation.id)).toEqual(['c-a-4915112345678']);
    expect((await get(KEY_A, 'q=vip')).body.items).toHaveLength(2);
    const first = await get(KEY_A, 'q=vip&limit=1');
    expect(first.body.nextOffset).toBe(1);
    const second = await get(KEY_A, `q=vip&limit=1&offset=${first.body.nextOffset}`);
    expect(second.body.nextOffset).toBeUndefined();
    expect(new Set([first.body.items[0].conversation.id, second.body.items[0].conversation.id]).size).toBe(2);
    expect((await get(KEY_A, 'q=brake&channel=telegram')).body.items).toEqual([]);
    expect((await get(KEY_A, 'q=brake&status=resolved')).body.items).toEqual([]);
    expect((await get(KEY_A, 'q=brake&queue=desk')).body.items).toHaveLength(1);
    expect((await get(KEY_A, 'q=brake&from=2026-06-01T10:00:30Z')).body.items).toHaveLength(1);
    expect((await get(KEY_A, 'q=brake&to=2026-06-01T10:00:30Z')).body.items).toEqual([]);
  });

  it('refuses bad queries with 400 and the error envelope, never a 500', async () => {
    for (const query of ['', 'q=', 'q=%20%20', `q=${'x'.repeat(201)}`, 'q=a&limit=101', 'q=a&limit=0', 'q=a&offset=-1', 'q=a&offset=10001', 'q=a&unknown=1',
      'q=a&status=closed', 'q=a&from=yesterday', 'q=a&from=2026-06-02&to=2026-06-01', 'q=a&q=b', `q=a&channel=${'c'.repeat(65)}`]) {
      const { status, body } = await get(KEY_A, query);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(body.error.code).toBe('VALIDATION_FAILED');
      expect(typeof body.error.message).toBe('string');
    }
  });

  it('keeps tenants apart, and needs a key', async () => {
    const b = await get(KEY_B, 'q=brake');
    expect(b.body.items.map((h: Hit) => h.conversation.tenantId)).toEqual(['b']);
    expect((await get(KEY_B, 'q=blinking')).body.items).toEqual([]);
    expect((await fetch(`${url}/v1/search?q=brake`)).status).toBe(401);
  });

  it('erasure through DELETE /v1/contacts/:id removes the contact\'s text from the search', async () => {
    const id = await seed('a', '4477700000', 'Erin Erase', ['confidentialword in here']);
    expect((await get(KEY_A, 'q=confidentialword')).body.items).toHaveLength(1);
    const erased = await fetch(`${url}/v1/contacts/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${KEY_A}` } });
    expect(erased.status).toBe(200);
    expect((await get(KEY_A, 'q=confidentialword')).body.items).toEqual([]);
    expect((await get(KEY_A, 'q=erin')).body.items).toEqual([]);
  });
});
