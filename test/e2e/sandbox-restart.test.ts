/**
 * The sandbox on its default SQLite store, started twice on one database file as `npm start` is:
 * what the first run received is still there, and the console password the second start prints
 * logs in (the seeded admin already existed in the database).
 */
import { silentLogger } from '@switchboard/core';
import { describe, expect, it } from 'vitest';
import { createHost } from '@switchboard/host';
import { createSandbox } from '@switchboard/host/testing';
import { tempDatabase } from '../../host/src/__fixtures__/temp-database.js';
import { eventually } from './support/host-harness.js';

const KEY = 'sandbox-restart-key-0123456789';

async function run<T>(database: string, password: string, body: (url: string, admin: { email: string; password: string }) => Promise<T>): Promise<T> {
  const sandbox = await createSandbox({ database, packages: ['@switchboard/telegram'], env: { SWITCHBOARD_API_KEY: KEY, SWITCHBOARD_CONSOLE_PASSWORD: password }, logger: silentLogger, port: 0 });
  const host = await createHost(sandbox.config, { logger: silentLogger, processor: { pollMs: 20 }, ...sandbox.hostOptions });
  const { url } = await host.listen(0, '127.0.0.1');
  try {
    expect(host.stores.kind).toBe('sqlite');
    return await body(url, sandbox.consoleAdmin);
  } finally {
    await host.stop();
  }
}

const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const login = async (url: string, email: string, password: string): Promise<number> =>
  (await fetch(`${url}/console/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password, tenant: 'sandbox' }) })).status;

describe('the sandbox across a restart on its database file', () => {
  it('keeps the conversation and lets the newly printed console password log in', async () => {
    const { path } = tempDatabase('sandbox-restart');
    await run(path, 'first password 1', async (url, admin) => {
      expect((await fetch(`${url}/sandbox/telegram/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ userId: '1001', text: 'Hello' }) })).status).toBe(202);
      await eventually(async () => ((await (await fetch(`${url}/v1/conversations`, { headers: auth })).json()) as { items: unknown[] }).items.length === 1 || undefined);
      expect(await login(url, admin.email, admin.password)).toBe(200);
    });
    await run(path, 'second password 2', async (url, admin) => {
      const conversations = (await (await fetch(`${url}/v1/conversations`, { headers: auth })).json()) as { items: { address: { userId: string } }[] };
      expect(conversations.items.map((c) => c.address.userId)).toEqual(['1001']);
      expect(await login(url, admin.email, 'first password 1')).toBe(401);
      expect(await login(url, admin.email, admin.password)).toBe(200);
    });
  });
});

describe('the sandbox banner', () => {
  it('regression: the customer id in the printed curl line is one the first channel (WhatsApp) can answer', async () => {
    const { printSandboxBanner } = await import('../../host/src/cli.js');
    const sandbox = await createSandbox({ database: tempDatabase('banner').path, packages: ['@switchboard/whatsapp'], env: { SWITCHBOARD_API_KEY: KEY }, logger: silentLogger, port: 0 });
    const host = await createHost(sandbox.config, { logger: silentLogger, processor: { pollMs: 20 }, ...sandbox.hostOptions });
    await host.listen(0, '127.0.0.1');
    try {
      const lines: string[] = [];
      printSandboxBanner(host, KEY, false, (l) => lines.push(l));
      const curl = lines.find((l) => l.includes('/sandbox/whatsapp/messages'))!;
      const body = /-d '([^']+)'/.exec(curl)![1]!;
      expect((await fetch(`${host.url}/sandbox/whatsapp/messages`, { method: 'POST', headers: auth, body })).status).toBe(202);
      const reply = await eventually(async () => {
        const conversation = ((await (await fetch(`${host.url}/v1/conversations`, { headers: auth })).json()) as { items: { id: string }[] }).items[0];
        if (!conversation) return undefined;
        const items = ((await (await fetch(`${host.url}/v1/conversations/${conversation.id}/messages`, { headers: auth })).json()) as { items: { direction: string; status: string }[] }).items;
        const out = items.find((m) => m.direction === 'outbound' && m.status !== 'accepted' && m.status !== 'queued');
        return out;
      });
      expect(reply.status).not.toBe('failed');
    } finally {
      await host.stop();
    }
  });
});
