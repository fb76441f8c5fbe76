/**
 * The integrator guide's sample bots, taken from docs/integrator-guide.md as printed and run in a
 * host: the customer's STOP gets the host's confirmation and nothing from the bot.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger, type ConnectorPlugin, type FakePlatform } from '@switchboard/core';
import { configFromObject, createHost, type BotContext, type Host, type HostMessage } from '@switchboard/host';
import { eventually } from './support/host-harness.js';

const GUIDE = fileURLToPath(new URL('../../docs/integrator-guide.md', import.meta.url));

/** Every `statusBot` the guide defines, compiled from its TypeScript as printed. */
function guideBots(): { source: string; bot: (ctx: BotContext) => Promise<unknown> }[] {
  const guide = readFileSync(GUIDE, 'utf8');
  const sources = [...guide.matchAll(/^(?:export )?const statusBot = async \(ctx: BotContext\) => \{\n[\s\S]*?\n\};$/gm)].map((m) => m[0].replace(/^export /, ''));
  return sources.map((source) => {
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
    // the second sample looks orders up in the integrator's own store: one where every customer has a car in the workshop
    const orders = { findFor: async () => ({ state: 'ready for collection' }) };
    const bot = new Function('orders', `${js}\nreturn statusBot;`)(orders) as (ctx: BotContext) => Promise<unknown>;
    return { source, bot };
  });
}

let running: { host: Host; fake: FakePlatform } | undefined;
afterEach(async () => {
  await running?.host.stop();
  await running?.fake.stop();
  running = undefined;
});

/** A host (memory store) with Telegram (buttons render natively there) and the bot for every conversation. */
async function hostWith(bot: (ctx: BotContext) => Promise<unknown>): Promise<{ host: Host; fake: FakePlatform; webhookUrl: string }> {
  const plugin = (await import('@switchboard/telegram')).default as ConnectorPlugin;
  const fake = plugin.fake!();
  await fake.start();
  const host = await createHost(configFromObject({
    store: { kind: 'memory' }, logLevel: 'silent',
    tenants: [{ id: 't1', apiKeys: ['guide-sample-bots-key-0123456789'], routing: { escalationQueue: 'desk', rules: [{ to: { bot: 'status' } }] } }],
    connectors: [{ package: '@switchboard/telegram', plugin, required: true, accounts: [{ id: 'main', config: fake.connectorConfig() }] }],
    bots: { status: bot },
  }), { logger: silentLogger, processor: { pollMs: 10, retryBaseMs: 10 } });
  const { url } = await host.listen(0, '127.0.0.1');
  running = { host, fake };
  return { host, fake, webhookUrl: `${url}/webhooks/telegram/main` };
}

describe('the integrator guide\'s sample bots', () => {
  const bots = guideBots();

  it('the guide still defines its two sample bots', () => {
    expect(bots).toHaveLength(2);
  });

  it.each(bots.map((b, i) => [i + 1, b] as const))('regression: sample bot %i stays quiet on STOP (it answered right after the unsubscribe confirmation)', async (_n, { bot }) => {
    const x = await hostWith(bot);
    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: '6001', text: 'Hello', name: 'Ann' }));
    await x.host.processor.idle();
    const conversation = await eventually(async () => (await x.host.stores.conversations.list('t1'))[0]);
    const outbound = async (): Promise<HostMessage[]> => (await x.host.stores.messages.listByConversation('t1', conversation.id)).filter((m) => m.direction === 'outbound');
    const before = (await outbound()).length;
    // the bot answers an ordinary message
    expect((await outbound()).map((m) => m.sender)).toContain('bot');

    await x.fake.deliver(x.webhookUrl, x.fake.userMessage({ userId: '6001', text: 'STOP' }));
    await x.host.processor.idle();
    const after = (await outbound()).slice(before);
    // the host's confirmation, and nothing from the bot
    expect(after.length).toBeGreaterThan(0);
    expect(after.map((m) => m.sender)).not.toContain('bot');
    expect(after.every((m) => m.sender === 'system')).toBe(true);
    expect((await x.host.stores.conversations.get('t1', conversation.id))!.assignee).toEqual({ kind: 'bot', handler: 'status' });
  });
});
