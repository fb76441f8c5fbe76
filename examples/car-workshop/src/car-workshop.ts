/**
 * The car-workshop scenario: a host with WhatsApp and Messenger (each against its fake platform),
 * the workshop bot, and a service desk queue. `runCarWorkshop` plays a morning of enquiries, two
 * quick-reply taps, and a human agent answering the next day on Messenger with the HUMAN_AGENT tag.
 * `npm start` runs it and prints the transcript; the test runs it and checks the figures.
 * @module
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSwitchboardClient, type components } from '@switchboard/client';
import { silentLogger, type Conversation, type PolicyReason } from '@switchboard/core';
import { API_SCOPES, configFromObject, createHost, type Host } from '@switchboard/host';
import messengerPlugin, { FakeMessengerServer } from '@switchboard/messenger';
import whatsappPlugin, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { eventually, FastForwardClock, HOUR, messengerText, whatsappText } from './demo-support.js';
import { ENQUIRIES, type Enquiry } from './enquiries.js';
import { DEMO_ORDERS, ServiceOrderTable } from './service-orders.js';
import { OUTCOME_TAGS, WorkshopBot } from './workshop-bot.js';

/** A conversation as the REST API answers it (instants as ISO strings). */
type ApiConversation = components['schemas']['Conversation'];

/** The workshop tenant's API key (a demo value; a real one comes from the environment). */
export const API_KEY = 'workshop-demo-key-0123456789abcdef';
/** The service desk: the queue the bot hands over to. */
export const SERVICE_DESK = 'service-desk';

/** What happened to one scripted enquiry. */
export interface EnquiryOutcome extends Enquiry {
  outcome: 'answered' | 'handover';
  intent: string;
  /** The bot's answer as the customer saw it. */
  reply: string;
}

/** The scenario's results (also what the transcript shows). */
export interface CarWorkshopResult {
  outcomes: EnquiryOutcome[];
  /** How many of the enquiries the bot answered itself. */
  answeredAutomatically: number;
  /** `answeredAutomatically / outcomes.length`. */
  share: number;
  /** Enquiries whose outcome is the one the script expected. */
  asExpected: number;
  /** Conversations waiting in the service desk queue before the agent starts. */
  queued: number;
  /** The two quick-reply taps. */
  taps: { channel: string; tapped: string; reply: string; assignee: Conversation['assignee'] }[];
  /** The agent's next-day reply on Messenger. */
  agentReply: {
    hoursSinceCustomerWrote: number;
    withoutTag: { status: number; reasons: string[] };
    withTag: { status: number; form: unknown };
    /** The Send API request the Messenger fake received. */
    platformRequest: Record<string, unknown>;
  };
}

type Json = Record<string, unknown>;

/**
 * Runs the scenario.
 * @param options.log - where the transcript goes (default: nowhere)
 * @param options.enquiries - the scripted enquiries (default {@link ENQUIRIES})
 * @returns the figures
 */
export async function runCarWorkshop(options: { log?: (line: string) => void; database?: string; enquiries?: readonly Enquiry[] } = {}): Promise<CarWorkshopResult> {
  const log = options.log ?? ((): void => {});
  const enquiries = options.enquiries ?? ENQUIRIES;
  // demo time runs 20× faster: WhatsApp paces one message per 6 s to a customer, and the demo answers 40 enquiries
  const clock = new FastForwardClock(20);
  const whatsapp = new FakeWhatsAppServer({ now: () => clock.now() });
  const messenger = new FakeMessengerServer({ now: () => clock.now() });
  await whatsapp.start();
  await messenger.start();
  let host: Host | undefined;
  try {
    const table = new ServiceOrderTable(DEMO_ORDERS);
    // a fresh SQLite database file per run (the scenario is scripted); it is left in place to be inspected
    const database = options.database ?? join(mkdtempSync(join(tmpdir(), 'switchboard-car-workshop-')), 'switchboard.db');
    log(`(database: ${database})`);
    const config = configFromObject({
      store: { kind: 'sqlite', path: database },
      logLevel: 'silent',
      tenants: [{
        // the service desk's key speaks for its people, so it is granted sending as a human agent
        // (Messenger's HUMAN_AGENT tag); a plain string key could not
        id: 'workshop', name: 'Autohaus Kowalski', apiKeys: [{ key: API_KEY, scopes: [...API_SCOPES] }],
        routing: { rules: [{ to: { bot: 'workshop' } }], escalationQueue: SERVICE_DESK },
      }],
      connectors: [
        { package: '@switchboard/whatsapp', plugin: whatsappPlugin, required: true, accounts: [{ id: 'main', config: whatsapp.connectorConfig() }] },
        { package: '@switchboard/messenger', plugin: messengerPlugin, required: true, accounts: [{ id: 'main', config: messenger.connectorConfig() }] },
      ],
      bots: { workshop: new WorkshopBot(table) },
    }, { env: {} });
    host = await createHost(config, { logger: silentLogger, clock, processor: { pollMs: 10 }, outbound: { timer: clock, dispatcher: { pollMs: 10 } } });
    const { url } = await host.listen(0, '127.0.0.1');
    // the workshop's service desk talks to the host through the typed client
    const sb = createSwitchboardClient({ baseUrl: url, apiKey: API_KEY });
    const webhookOf = (channel: string): string => `${url}/webhooks/${channel}/main`;
    const sentTo = (channel: string, userId: string): string[] => channel === 'whatsapp'
      ? whatsapp.accepted.filter((a) => a.to === userId).map((a) => whatsappText(a.body))
      : messenger.sent.filter((s) => s.recipientId === userId).map((s) => messengerText(s.body));
    const conversations = async (): Promise<ApiConversation[]> => (await sb.GET('/v1/conversations', { params: { query: { limit: '500' } } })).data?.items ?? [];
    const conversationOf = async (channel: string, userId: string): Promise<ApiConversation> =>
      eventually(async () => (await conversations()).find((c) => c.address.channel === channel && c.address.userId === userId));

    log(`Autohaus Kowalski's host is listening on ${url}`);
    log(`  WhatsApp → fake Cloud API at ${whatsapp.url}; Messenger → fake Send API at ${messenger.url}`);
    log(`  routing: every new conversation goes to the bot "workshop"; it hands over to the queue "${SERVICE_DESK}"`);

    // ── 1. a morning of enquiries ──────────────────────────────────────────────────────────────
    log(`\n── 1. ${enquiries.length} enquiries arrive on WhatsApp and Messenger ${'─'.repeat(30)}`);
    for (const e of enquiries) {
      const fake = e.channel === 'whatsapp' ? whatsapp : messenger;
      const answer = await fake.deliver(webhookOf(e.channel), fake.userMessage({ userId: e.userId, text: e.text, name: e.name }));
      if (answer.status !== 200) throw new Error(`the host answered ${answer.status} to a signed ${e.channel} webhook`);
    }
    await host.processor.idle();
    const outcomes: EnquiryOutcome[] = [];
    for (const e of enquiries) {
      const reply = await eventually(() => sentTo(e.channel, e.userId)[0]);
      const c = await conversationOf(e.channel, e.userId);
      const handedOver = c.tags.includes(OUTCOME_TAGS.handedOver);
      if (!handedOver && !c.tags.includes(OUTCOME_TAGS.answered)) throw new Error(`the bot left no outcome on ${e.channel}:${e.userId}`);
      const intent = c.tags.find((t) => t.startsWith('intent:'))?.slice('intent:'.length) ?? '?';
      outcomes.push({ ...e, outcome: handedOver ? 'handover' : 'answered', intent, reply });
      const mark = handedOver ? '→ service desk' : '✓ bot';
      log(`${e.channel.padEnd(9)} ${e.name.padEnd(17)} "${e.text}"`);
      log(`${''.padEnd(9)} ${mark.padEnd(17)} ${reply}${(handedOver ? 'handover' : 'answered') === e.expected ? '' : '   ← the script expected otherwise'}`);
    }
    const answeredAutomatically = outcomes.filter((o) => o.outcome === 'answered').length;
    const share = answeredAutomatically / outcomes.length;
    const asExpected = outcomes.filter((o) => o.outcome === o.expected).length;
    log(`\nAnswered automatically: ${answeredAutomatically} of ${outcomes.length} (${(share * 100).toFixed(1)} %); `
      + `handed over: ${outcomes.length - answeredAutomatically}; outcome as the script expected: ${asExpected} of ${outcomes.length}`);

    // ── 2. quick replies ───────────────────────────────────────────────────────────────────────
    log(`\n── 2. customers tap quick replies ${'─'.repeat(45)}`);
    const taps: CarWorkshopResult['taps'] = [];
    {
      const jonas = outcomes.find((o) => o.channel === 'whatsapp' && o.outcome === 'answered');
      if (!jonas) throw new Error('the script has no WhatsApp enquiry the bot answered');
      const before = sentTo('whatsapp', jonas.userId).length;
      // what WhatsApp delivers when a customer taps a reply button
      const tap = whatsapp.webhook({
        contacts: [{ profile: { name: jonas.name }, wa_id: jonas.userId }],
        messages: [{ from: jonas.userId, id: `wamid.tap-${Date.now()}`, timestamp: String(Math.floor(clock.now() / 1000)), type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'hours', title: 'Opening hours' } } }],
      });
      await whatsapp.deliver(webhookOf('whatsapp'), tap);
      const reply = await eventually(() => sentTo('whatsapp', jonas.userId)[before]);
      const c = await conversationOf('whatsapp', jonas.userId);
      log(`whatsapp  ${jonas.name} taps [Opening hours]`);
      log(`          bot: ${reply}`);
      taps.push({ channel: 'whatsapp', tapped: 'hours', reply, assignee: c.assignee });
    }
    {
      const lea = outcomes.find((o) => o.channel === 'messenger' && o.outcome === 'answered');
      if (!lea) throw new Error('the script has no Messenger enquiry the bot answered');
      const before = sentTo('messenger', lea.userId).length;
      messenger.openWindow(lea.userId, clock.now());
      // a quick-reply tap arrives as a message whose quick_reply carries the payload
      const tap = messenger.webhook([{
        sender: { id: lea.userId }, recipient: { id: String(messenger.connectorConfig().pageId) }, timestamp: clock.now(),
        message: { mid: `m_tap_${Date.now()}`, text: 'Talk to a person', quick_reply: { payload: 'human' } },
      }], clock.now());
      await messenger.deliver(webhookOf('messenger'), tap);
      const reply = await eventually(() => sentTo('messenger', lea.userId)[before]);
      const c = await eventually(async () => { const x = await conversationOf('messenger', lea.userId); return x.assignee.kind === 'queue' ? x : undefined; });
      log(`messenger ${lea.name} taps [Talk to a person]`);
      log(`          bot: ${reply}`);
      log(`          conversation now with: ${JSON.stringify(c.assignee)}`);
      taps.push({ channel: 'messenger', tapped: 'human', reply, assignee: c.assignee });
    }

    // ── 3. the service desk, the next day ──────────────────────────────────────────────────────
    const waiting = (await conversations()).filter((c) => c.assignee.kind === 'queue' && c.assignee.queue === SERVICE_DESK);
    log(`\n── 3. the service desk (${waiting.length} conversations waiting) answers the next day ${'─'.repeat(14)}`);
    const theo = outcomes.find((o) => o.channel === 'messenger' && o.outcome === 'handover' && o.intent === 'human');
    if (!theo) throw new Error('the script has no Messenger customer who asked for a person');
    const conversation = await conversationOf('messenger', theo.userId);
    clock.advance(30 * HOUR);
    const hoursSince = Math.round((clock.now() - new Date(conversation.lastInboundAt ?? conversation.createdAt).getTime()) / HOUR);
    log(`(30 hours later) agent Sam takes ${theo.name}'s conversation — the customer wrote ${hoursSince} h ago: Messenger's 24 h window is closed`);
    await sb.POST('/v1/conversations/{id}/assign', { params: { path: { id: conversation.id } }, body: { agentId: 'sam', queue: SERVICE_DESK } });
    const agentText = `Hi ${theo.name.split(' ')[0]}, Sam from the service desk here. I have looked at your question and will call you at 10:00 to go through it.`;
    const plain = await sb.POST('/v1/conversations/{id}/messages', { params: { path: { id: conversation.id } }, body: { content: agentText, sender: 'agent' } });
    const refusal = plain.error?.error;
    const reasons = (refusal && 'reasons' in refusal ? refusal.reasons : []) as PolicyReason[];
    const withoutTag = { status: plain.response.status, reasons: reasons.map((r) => r.code) };
    log(`POST /v1/conversations/:id/messages without a tag → ${plain.response.status} ${withoutTag.reasons.join(', ')}`);
    for (const r of reasons) log(`    ${r.code} (${r.source}): ${r.message}`);
    const before = messenger.sent.filter((s) => s.recipientId === theo.userId).length;
    const tagged = await sb.POST('/v1/messages', {
      body: {
        channel: 'messenger', accountId: conversation.address.accountId, conversationId: conversation.id,
        content: { type: 'text', text: agentText }, purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT',
      },
    });
    log(`POST /v1/messages with tag HUMAN_AGENT, sender agent → ${tagged.response.status} ${JSON.stringify(tagged.data?.form ?? tagged.data ?? tagged.error)}`);
    const request = await eventually(() => messenger.sent.filter((s) => s.recipientId === theo.userId)[before]);
    const { recipient, messaging_type: messagingType, tag } = request.body as Json;
    log(`the Messenger Send API received: ${JSON.stringify({ recipient, messaging_type: messagingType, tag, message: { text: '…' } })}`);

    return {
      outcomes, answeredAutomatically, share, asExpected, queued: waiting.length, taps,
      agentReply: { hoursSinceCustomerWrote: hoursSince, withoutTag, withTag: { status: tagged.response.status, form: tagged.data?.form }, platformRequest: request.body },
    };
  } finally {
    await host?.stop();
    await whatsapp.stop();
    await messenger.stop();
  }
}
