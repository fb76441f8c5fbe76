/**
 * Saved replies with variables and the CRM context, for agents (the console) and bots alike, on a
 * host with an SQLite store, real HTTP and signed webhooks from the fake platforms.
 */
import type { Contact } from '@switchboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotContext } from '../routing/bot-handler.js';
import type { RenderedReply } from './knowledge.js';
import { eventually, startConsoleHost, type ConsoleClient, type ConsoleHost } from '../console/__fixtures__/console-host.js';

const STATUS = 'Hello {{contact.name}}, job {{crm.orders.0.id}} is {{crm.orders.0.status}} (customer {{crm.customerId}}, tier {{contact.attributes.tier}}).{{contact.title}}';

describe('knowledge and CRM context for agents and bots', () => {
  let h: ConsoleHost;
  let agent: ConsoleClient;
  let outsider: ConsoleClient;
  const byBot: { rendered: RenderedReply | undefined; crm: unknown; suggested: string[]; replies: number }[] = [];
  const bot = async (ctx: BotContext): Promise<void> => {
    const rendered = await ctx.knowledge.render('Job status');
    byBot.push({ rendered, crm: await ctx.contactContext(), suggested: (await ctx.knowledge.suggest()).map((l) => l.id), replies: (await ctx.knowledge.savedReplies()).length });
    if (rendered && rendered.missing.length === 0) await ctx.reply(rendered.text);
  };

  beforeAll(async () => {
    h = await startConsoleHost({
      seedAgents: [
        { tenantId: 'shop', email: 'ana@shop.io', password: 'ana password 1', name: 'Ana' },
        { tenantId: 'other', email: 'otto@other.io', password: 'otto password 1', name: 'Otto' },
      ],
      seedSettings: { shop: {
        quickReplies: [{ id: 'status', title: 'Job status', text: STATUS }],
        knowledgeBase: [{ id: 'brakes', title: 'Brake service', url: 'https://kb.example/brakes', keywords: ['brakes'] }],
      } },
    }, {
      bots: { echo: bot },
      contactContext: {
        provider: ({ addresses }: { addresses: { userId: string }[] }) => (addresses.some((a) => a.userId === '41790000001')
          ? { displayName: 'Ann Muster', customerId: 'C-1001', orders: [{ id: 'SO-1', title: 'Brakes', status: 'ready', url: 'https://crm.example/SO-1' }] }
          : undefined),
      },
    });
    agent = h.browser();
    outsider = h.browser();
    expect((await agent.login('ana@shop.io', 'ana password 1')).status).toBe(200);
    expect((await outsider.login('otto@other.io', 'otto password 1', 'other')).status).toBe(200);
  });
  afterAll(async () => { await h?.stop(); });

  it('a bot renders a saved reply with the contact\'s and the CRM\'s fields, missing ones removed and named', async () => {
    await h.customerWrites('whatsapp', '41790000001', 'are my brakes done?', 'Ann');
    const first = await eventually(() => byBot[0]);
    expect(first.crm).toMatchObject({ customerId: 'C-1001' });
    expect(first.suggested).toEqual(['brakes']);
    expect(first.replies).toBe(1);
    expect(first.rendered).toEqual({
      id: 'status', title: 'Job status', text: 'Hello Ann, job SO-1 is ready (customer C-1001, tier ).', missing: ['contact.attributes.tier', 'contact.title'], invalid: [],
    });
  });

  it('an agent gets the reply rendered for the conversation\'s contact, placeholders it cannot fill kept for them to complete', async () => {
    const contacts = (await h.api<{ items: Contact[] }>('/v1/contacts')).body.items;
    const ann = contacts.find((c) => c.addresses.some((a) => a.userId === '41790000001'))!;
    expect((await h.api(`/v1/contacts/${ann.id}`, { method: 'PATCH', body: JSON.stringify({ attributes: { tier: 'gold' } }) })).status).toBe(200);
    const conversation = (await h.api<{ items: { id: string; contactId: string }[] }>(`/v1/conversations?contactId=${ann.id}`)).body.items[0]!;

    const r = await agent.call<RenderedReply>(`/conversations/${conversation.id}/saved-replies/status`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      id: 'status', title: 'Job status', text: 'Hello Ann, job SO-1 is ready (customer C-1001, tier gold).{{contact.title}}', missing: ['contact.title'], invalid: [],
    });
    expect((await agent.call(`/conversations/${conversation.id}/saved-replies/nope`)).status).toBe(404);
    expect((await outsider.call(`/conversations/${conversation.id}/saved-replies/status`)).status).toBe(404);

    // the contact panel's CRM section
    const crm = await agent.call<Record<string, unknown>>(`/contacts/${ann.id}/context`);
    expect(crm.body).toMatchObject({ contactId: ann.id, status: 'found', context: { displayName: 'Ann Muster', orders: [{ id: 'SO-1', url: 'https://crm.example/SO-1' }] } });
    expect((await outsider.call(`/contacts/${ann.id}/context`)).status).toBe(404);
    expect((await agent.call(`/contacts/${ann.id}/context?refresh=maybe`)).status).toBe(400);
  });

  it('a contact the CRM does not know: the context says so, and the bot still runs', async () => {
    await h.customerWrites('whatsapp', '41790000002', 'hello');
    await eventually(() => byBot[1]);
    expect(byBot[1]).toMatchObject({ crm: undefined, rendered: { missing: ['crm.orders.0.id', 'crm.orders.0.status', 'crm.customerId', 'contact.attributes.tier', 'contact.title'] } });
    const contacts = (await h.api<{ items: Contact[] }>('/v1/contacts')).body.items;
    const other = contacts.find((c) => c.addresses.some((a) => a.userId === '41790000002'))!;
    expect((await h.api(`/v1/contacts/${other.id}/context`)).body).toMatchObject({ status: 'unknown' });
  });
  it('refuses a saved reply whose placeholder is not a variable path', async () => {
    const bad = await h.api<{ error: { code: string; details: { problems: { field: string }[] } } }>('/v1/console/settings', { method: 'PUT', body: JSON.stringify({ quickReplies: [{ title: 'x', text: 'Hi {{ contact.name + 1 }}' }] }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.problems[0]!.field).toBe('quickReplies[0].text');
  });
});
