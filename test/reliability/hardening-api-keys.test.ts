/**
 * "Any REST key may send as `sender: agent`" (issue 16, lower finding): a key claimed to be a human
 * and so used Messenger's HUMAN_AGENT tag. Now keys carry scopes: sending as an agent needs
 * `messages:send-as-agent`, which a plain config key lacks and only the operator grants (config or
 * CLI). Keys made by the CLI or the REST API are stored as digests; a revocation by another
 * connection to the database (the CLI, another host process) holds on the next request; a
 * rotation stops the old key; the key is never in an answer after its creation, in a log line or
 * in the database file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostLogger } from '../../host/src/logging.js';
import { runKeysCommand } from '../../host/src/api/keys-command.js';
import { DocumentApiKeyStore, type ApiKeyRecord } from '../../host/src/api/api-key-store.js';
import { DocumentInboxStore, DocumentOutboxStore } from '../../host/src/stores/document-stores.js';
import { startChannelsHost, type ChannelsHost } from './support/channels-host.js';

type ErrorBody = { error: { code: string; message: string; details?: { requiredScope?: string } } };

let h: ChannelsHost;
const logLines: string[] = [];
const secrets: string[] = [];
let conversationId: string;

/** Runs `switchboard keys …` against the running host's database (a second connection to it). */
async function cli(...argv: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const [action, ...rest] = argv;
  const flags: Record<string, string | true> = {};
  const positional = [action!];
  for (let i = 0; i < rest.length; i++) {
    const next = rest[i + 1];
    if (!rest[i]!.startsWith('--')) positional.push(rest[i]!);
    else if (next === undefined || next.startsWith('--')) flags[rest[i]!.slice(2)] = true;
    else { flags[rest[i]!.slice(2)] = next; i++; }
  }
  const code = await runKeysCommand(positional, flags, (l) => out.push(l), async () => h.hosts[0]!.config);
  return { code, out };
}

/** The key a CLI `create`/`rotate` printed. */
const printedKey = (out: string[]): string => {
  const key = out.map((l) => l.trim()).find((l) => /^sb_[a-z2-7]{16}_/.test(l))!;
  secrets.push(key);
  return key;
};

const send = (key: string | undefined, body: Record<string, unknown>) => h.api<ErrorBody & { id?: string; status?: string }>('/v1/messages', {
  method: 'POST', body: JSON.stringify({ channel: 'messenger', accountId: 'main', userId: '6254598401234567', purpose: 'service', content: { type: 'text', text: 'An agent here.' }, ...body }),
  ...(key ? { key } : {}),
});

const outboxEntries = (): Promise<number> => h.stores.driver.collection(DocumentOutboxStore.spec).count({});
const platformSends = (): number => h.fakes.messenger.requests.filter((r) => r.method === 'POST' && /messages/.test(r.path)).length;

beforeAll(async () => {
  const destination = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
  h = await startChannelsHost({ channels: ['messenger'], hostOptions: { logger: createHostLogger({ level: 'debug', destination }) } });
  const inbound = h.fakes.messenger.userMessage({ userId: '6254598401234567', text: 'Where is my parcel?' });
  expect((await fetch(h.webhookUrl('messenger'), { method: 'POST', headers: inbound.headers, body: inbound.body })).status).toBe(200);
  for (let i = 0; i < 200 && !conversationId; i++) {
    conversationId = (await h.stores.conversations.list('shop', { limit: 1 }))[0]?.id ?? '';
    if (!conversationId) await new Promise((r) => setTimeout(r, 10));
  }
  expect(conversationId).toBeTruthy();
  // the customer's message is processed to the end (stored, its inbox entry done) before any test
  // compares counts: the conversation exists a commit or two before its message does
  for (let i = 0; i < 3000; i++) {
    const entries = await h.stores.driver.collection(DocumentInboxStore.spec).find({});
    if ((await h.stored()).messages >= 1 && entries.length > 0 && entries.every((e) => (e as { status?: string }).status === 'done')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
});
afterAll(async () => { await h?.stop(); });

describe('who is a human is not a claim', () => {
  it('a key without messages:send-as-agent sending as agent (HUMAN_AGENT) → 403 naming the scope, nothing queued or sent', async () => {
    const before = { stored: await h.stored(), outbox: await outboxEntries(), sends: platformSends() };
    const refused = await send(undefined, { sender: 'agent', tag: 'HUMAN_AGENT' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', details: { requiredScope: 'messages:send-as-agent' } });
    const onConversation = await h.api<ErrorBody>(`/v1/conversations/${conversationId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'An agent here.', sender: 'agent', tag: 'HUMAN_AGENT' }) });
    expect(onConversation.status).toBe(403);
    expect(onConversation.body.error.details?.requiredScope).toBe('messages:send-as-agent');
    expect({ stored: await h.stored(), outbox: await outboxEntries(), sends: platformSends() }).toEqual(before);
  });

  it('a conversation reply with no sender from such a key is recorded as the bot', async () => {
    const sent = await h.api<{ id: string }>(`/v1/conversations/${conversationId}/messages`, { method: 'POST', body: JSON.stringify({ content: 'Your parcel left the depot.' }) });
    expect(sent.status).toBe(202);
    expect((await h.stores.messages.get('shop', sent.body.id))?.sender).toBe('bot');
  });

  it('an admin key cannot mint itself the agent scope; the operator can (CLI), and that key sends as agent', async () => {
    const minted = await h.api<ErrorBody>('/v1/api-keys', { method: 'POST', body: JSON.stringify({ scopes: ['messages:send', 'messages:send-as-agent'] }) });
    expect(minted.status).toBe(403);
    expect(minted.body.error.details?.requiredScope).toBe('messages:send-as-agent');
    const made = await cli('create', '--tenant', 'shop', '--scopes', 'messages:send,messages:send-as-agent', '--name', 'helpdesk');
    expect(made.code).toBe(0);
    const human = printedKey(made.out);
    const sent = await send(human, { sender: 'agent', tag: 'HUMAN_AGENT' });
    expect(sent.status).toBe(202);
    expect((await h.stores.messages.get('shop', sent.body.id!))?.sender).toBe('agent');
    // send-only: reading is another scope
    const read = await h.api<ErrorBody>('/v1/conversations', { key: human });
    expect(read.status).toBe(403);
    expect(read.body.error.details?.requiredScope).toBe('read');
  });
});

describe('revocation and rotation', () => {
  it('a key revoked by the CLI (another connection to the database) → 401 on the next request', async () => {
    const made = await cli('create', '--tenant', 'shop', '--scopes', 'read');
    const key = printedKey(made.out);
    expect((await h.api('/v1/conversations', { key })).status).toBe(200);
    const id = key.slice(0, 19);
    const revoked = await cli('revoke', id, '--tenant', 'shop');
    expect(revoked).toMatchObject({ code: 0 });
    const after = await h.api<ErrorBody>('/v1/conversations', { key });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHORIZED');
    expect(await cli('revoke', id, '--tenant', 'shop')).toEqual({ code: 1, out: [`CONFLICT: API key ${id} is already revoked`] });
  });

  it('REST: create, rotate (old stops, new works), revoke; another tenant cannot touch the key', async () => {
    const created = await h.api<{ id: string; key: string; scopes: string[] }>('/v1/api-keys', { method: 'POST', body: JSON.stringify({ scopes: ['read', 'messages:send'], name: 'CRM' }) });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toEqual(['read', 'messages:send']);
    secrets.push(created.body.key);
    expect((await h.api('/v1/conversations', { key: created.body.key })).status).toBe(200);
    // the key is not an admin: it manages no keys
    expect((await h.api<ErrorBody>('/v1/api-keys', { key: created.body.key })).body.error.details?.requiredScope).toBe('admin');
    // the rival tenant's admin key sees and touches nothing of shop's
    expect((await h.api<ErrorBody>(`/v1/api-keys/${created.body.id}/rotate`, { method: 'POST', key: 'reliability-rival-key-0123456789' })).status).toBe(404);
    expect((await h.api<ErrorBody>(`/v1/api-keys/${created.body.id}`, { method: 'DELETE', key: 'reliability-rival-key-0123456789' })).status).toBe(404);

    const rotated = await h.api<{ id: string; key: string; replaces: string; scopes: string[] }>(`/v1/api-keys/${created.body.id}/rotate`, { method: 'POST' });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ replaces: created.body.id, scopes: ['read', 'messages:send'], name: 'CRM' });
    secrets.push(rotated.body.key);
    expect((await h.api('/v1/conversations', { key: created.body.key })).status).toBe(401);
    expect((await h.api('/v1/conversations', { key: rotated.body.key })).status).toBe(200);

    const revoked = await h.api<{ revokedAt: string }>(`/v1/api-keys/${rotated.body.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect((await h.api('/v1/conversations', { key: rotated.body.key })).status).toBe(401);
  });

  it('rotation by the CLI: the old key stops, the new one works', async () => {
    const old = printedKey((await cli('create', '--tenant', 'shop', '--scopes', 'read')).out);
    const rotated = await cli('rotate', old.slice(0, 19), '--tenant', 'shop');
    expect(rotated.code).toBe(0);
    const fresh = printedKey(rotated.out);
    expect((await h.api('/v1/conversations', { key: old })).status).toBe(401);
    expect((await h.api('/v1/conversations', { key: fresh })).status).toBe(200);
  });
});

describe('a key is shown once', () => {
  it('never in a list, a later answer, a log line or the database file', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const list = await h.api<{ items: { id: string; source: string }[] }>('/v1/api-keys');
    expect(list.status).toBe(200);
    expect(list.body.items.filter((k) => k.source === 'store').length).toBeGreaterThanOrEqual(5);
    const listed = (await cli('list', '--tenant', 'shop')).out.join('\n') + (await cli('list', '--tenant', 'shop', '--json')).out.join('\n');
    const answers = JSON.stringify(list.body) + listed;
    // the secret part (after the public id) and the config keys
    const needles = [...secrets.map((k) => k.slice(20)), 'reliability-suite-key-0123456789', 'reliability-rival-key-0123456789'];
    for (const needle of needles) expect(answers).not.toContain(needle);
    expect(answers).not.toMatch(/"hash"/);

    const logs = logLines.join('');
    expect(logs.length).toBeGreaterThan(0);
    for (const needle of needles) expect(logs).not.toContain(needle);

    // every stored key document, then every byte of the database (and its WAL)
    const docs = await h.stores.driver.collection<ApiKeyRecord>(DocumentApiKeyStore.spec).find({});
    expect(docs.length).toBeGreaterThanOrEqual(5);
    for (const d of docs) expect(d.hash).toMatch(/^[0-9a-f]{64}$/);
    const stored = JSON.stringify(docs);
    for (const needle of needles) expect(stored).not.toContain(needle);
    const path = (h.hosts[0]!.config.store as { path: string }).path;
    const base = path.split('/').at(-1)!;
    const files = readdirSync(dirname(path)).filter((f) => f.startsWith(base));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(join(dirname(path), f)).toString('latin1');
      for (const needle of needles) expect(bytes).not.toContain(needle);
    }
  });
});
