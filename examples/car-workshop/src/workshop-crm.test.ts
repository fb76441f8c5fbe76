import { createSwitchboardClient } from '@switchboard/client';
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost, type BotContext, type Host } from '@switchboard/host';
import whatsappPlugin, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, whatsappText } from './demo-support.js';
import { demoCustomers, workshopContextProvider, WorkshopCrm } from './workshop-crm.js';

const TOKEN = 'crm-demo-token-0123456789';
const KEY = 'workshop-crm-test-key-0123456789';

describe('the workshop CRM as contact-context provider', () => {
  const crm = new WorkshopCrm(demoCustomers({ '4915112340001': 'Jonas Weber' }), TOKEN);
  beforeAll(() => crm.start());
  afterAll(() => crm.stop());
  const signal = new AbortController().signal;
  const query = (userId: string) => ({ tenantId: 'workshop', contactId: 'k1', addresses: [{ channel: 'messenger', accountId: 'main', userId: '7101' }, { channel: 'whatsapp', accountId: 'main', userId }] });

  it('looks the vehicle and job status up by the WhatsApp number', async () => {
    expect(await workshopContextProvider({ url: crm.url, token: TOKEN })(query('4915112340001'), { signal })).toEqual({
      displayName: 'Jonas Weber', customerId: 'CU-7001', attributes: { vehicle: 'VW Golf', plate: 'B-KW 2481', openJobs: 1 },
      orders: [{ id: 'SO-1042', title: 'VW Golf (B-KW 2481): annual service', status: 'being cleaned', url: 'https://crm.autohaus-kowalski.example/jobs/SO-1042' }],
    });
    expect(await workshopContextProvider({ url: crm.url, token: TOKEN })(query('4915112340049'), { signal })).toBeUndefined();
    await expect(workshopContextProvider({ url: crm.url, token: 'wrong-token' })(query('4915112340001'), { signal })).rejects.toThrow(/401/);
  });

  describe('in a host: the bot greets the customer by the CRM\'s name and tells the job\'s status', () => {
    let host: Host;
    const whatsapp = new FakeWhatsAppServer();
    const seen: unknown[] = [];
    const bot = async (ctx: BotContext): Promise<void> => {
      const crm = await ctx.contactContext();
      seen.push(crm);
      const job = crm?.orders?.[0];
      await ctx.reply(crm && job ? `Hello ${crm.displayName}, your ${job.title} is ${job.status}.` : 'Hello! What is your order number?');
    };
    beforeAll(async () => {
      await whatsapp.start();
      host = await createHost(configFromObject({
        store: { kind: 'memory' }, logLevel: 'silent',
        tenants: [{ id: 'workshop', apiKeys: [KEY], routing: { rules: [{ to: { bot: 'crm' } }] } }],
        connectors: [{ package: '@switchboard/whatsapp', plugin: whatsappPlugin, required: true, accounts: [{ id: 'main', config: whatsapp.connectorConfig() }] }],
        bots: { crm: bot },
        contactContext: { provider: workshopContextProvider({ url: crm.url, token: TOKEN }), ttlMs: 600_000 },
      }, { env: {} }), { logger: silentLogger, processor: { pollMs: 10 }, outbound: { dispatcher: { pollMs: 10 } } });
      await host.listen(0, '127.0.0.1');
    });
    afterAll(async () => { await host?.stop(); await whatsapp.stop(); });

    it('answers from the CRM, shows the context over the API, and asks the CRM once within the TTL', async () => {
      const webhook = `${host.url}/webhooks/whatsapp/main`;
      expect((await whatsapp.deliver(webhook, whatsapp.userMessage({ userId: '4915112340001', text: 'Is my car ready?', name: 'jonas' }))).status).toBe(200);
      await host.processor.idle();
      const reply = await eventually(() => whatsapp.accepted.filter((a) => a.to === '4915112340001').map((a) => whatsappText(a.body))[0]);
      expect(reply).toBe('Hello Jonas Weber, your VW Golf (B-KW 2481): annual service is being cleaned.');

      const sb = createSwitchboardClient({ baseUrl: host.url, apiKey: KEY });
      const contacts = (await sb.GET('/v1/contacts')).data!.items;
      const answer = await sb.GET('/v1/contacts/{id}/context', { params: { path: { id: contacts[0]!.id } } });
      expect(answer.data).toMatchObject({ status: 'found', context: { displayName: 'Jonas Weber', customerId: 'CU-7001' } });
      expect(crm.lookups.filter((p) => p === '4915112340001')).toHaveLength(2); // the provider test's, then the host's once

      // a customer the CRM does not know still gets an answer (no context is not a failure)
      await whatsapp.deliver(webhook, whatsapp.userMessage({ userId: '4915112340077', text: 'Hi' }));
      await host.processor.idle();
      expect(await eventually(() => whatsapp.accepted.filter((a) => a.to === '4915112340077').map((a) => whatsappText(a.body))[0])).toBe('Hello! What is your order number?');
    });

    it('goes on answering when the CRM is down', async () => {
      await crm.stop();
      const webhook = `${host.url}/webhooks/whatsapp/main`;
      await whatsapp.deliver(webhook, whatsapp.userMessage({ userId: '4915112340003', text: 'Is the Yaris done?' }));
      await host.processor.idle();
      expect(await eventually(() => whatsapp.accepted.filter((a) => a.to === '4915112340003').map((a) => whatsappText(a.body))[0])).toBe('Hello! What is your order number?');
      expect(seen.at(-1)).toBeUndefined();
    });
  });
});
