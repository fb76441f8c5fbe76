import { describe, expect, it } from 'vitest';
import { runCarWorkshop, SERVICE_DESK } from './car-workshop.js';
import { ENQUIRIES } from './enquiries.js';
import { DEMO_ORDERS, ServiceOrderTable } from './service-orders.js';
import type { BotContext } from '@switchboard/host';
import { classify, decide, WorkshopBot } from './workshop-bot.js';

describe('the workshop bot', () => {
  const table = new ServiceOrderTable(DEMO_ORDERS);

  it('answers "Is my car ready?" from the service order of the customer who writes', () => {
    const d = decide(table, 'whatsapp', '4915112340001', { type: 'text', text: 'Is my car ready?' }, 'Is my car ready?');
    expect(d).toMatchObject({ intent: 'status', outcome: 'answered', order: { number: 'SO-1042' } });
    expect(d.text).toContain('Your vehicle is being cleaned and will be ready for collection shortly.');
  });

  it('finds an order by number or licence plate, and hands over when it finds none', () => {
    expect(table.mentionedIn('any news on so 1049?')?.number).toBe('SO-1049');
    expect(table.mentionedIn('status of b-au4040')?.number).toBe('SO-1049');
    expect(decide(table, 'messenger', 'unknown-psid', { type: 'text', text: 'Is my car ready?' }, 'Is my car ready?').outcome).toBe('handover');
  });

  it('puts a request for a person before anything else, and takes quick-reply taps by their id', () => {
    expect(classify({ type: 'text', text: 'talk to someone about the invoice' }, 'talk to someone about the invoice')).toBe('human');
    expect(classify({ type: 'reply', id: 'hours', title: 'Opening hours' }, 'Opening hours')).toBe('hours');
    expect(classify({ type: 'text', text: 'Do you fit tow bars?' }, 'Do you fit tow bars?')).toBe('unknown');
  });
});

describe('the workshop bot and consent keywords', () => {
  it('regression: stays quiet on STOP (it handed the customer to the service desk right after the unsubscribe confirmation)', async () => {
    const calls: string[] = [];
    const ctx = {
      keyword: 'stop', text: 'STOP', message: { content: { type: 'text', text: 'STOP' } },
      conversation: { address: { channel: 'whatsapp', accountId: 'main', userId: '4915112340001' } },
      reply: async () => { calls.push('reply'); return { status: 'queued' }; },
      tag: async () => { calls.push('tag'); },
      handover: async () => { calls.push('handover'); },
    } as unknown as BotContext;
    await new WorkshopBot(new ServiceOrderTable(DEMO_ORDERS)).handle(ctx);
    expect(calls).toEqual([]);
  });
});

describe('npm start (the scenario main.ts runs)', () => {
  it('answers 25 of the 40 scripted enquiries automatically, hands the rest to the service desk, and the agent replies with HUMAN_AGENT after 30 h', async () => {
    const lines: string[] = [];
    const r = await runCarWorkshop({ log: (l) => lines.push(l) });

    // the figure the README reports
    expect(r.outcomes).toHaveLength(40);
    expect(r.answeredAutomatically).toBe(25);
    expect(r.share).toBe(0.625);
    // one miss: "Where do I leave the key after hours?" gets the opening hours instead of a person
    expect(r.asExpected).toBe(39);
    expect(r.outcomes.filter((o) => o.outcome !== o.expected).map((o) => o.text)).toEqual(['Where do I leave the key after hours?']);
    // every enquiry got an answer on its own channel, and the one from the brief reads as the brief says
    expect(r.outcomes.every((o) => o.reply.length > 0)).toBe(true);
    expect(r.outcomes[0]).toMatchObject({ channel: 'whatsapp', text: 'Is my car ready?', outcome: 'answered' });
    expect(r.outcomes[0]!.reply).toMatch(/^Your vehicle is being cleaned and will be ready for collection shortly\..*\[Opening hours\] \[Talk to a person\]$/);
    expect(new Set(ENQUIRIES.map((e) => e.channel))).toEqual(new Set(['whatsapp', 'messenger']));

    // quick replies: a WhatsApp reply button and a Messenger quick reply
    expect(r.taps[0]).toMatchObject({ channel: 'whatsapp', tapped: 'hours', assignee: { kind: 'bot', handler: 'workshop' } });
    expect(r.taps[0]!.reply).toContain('We are open Monday to Friday');
    expect(r.taps[1]).toMatchObject({ channel: 'messenger', tapped: 'human', assignee: { kind: 'queue', queue: SERVICE_DESK } });
    expect(r.queued).toBe(16);

    // the agent, 30 h later on Messenger: refused without a tag, sent with HUMAN_AGENT
    expect(r.agentReply.hoursSinceCustomerWrote).toBe(30);
    expect(r.agentReply.withoutTag).toEqual({ status: 422, reasons: ['WINDOW_CLOSED', 'TAG_NOT_ALLOWED'] });
    expect(r.agentReply.withTag).toEqual({ status: 202, form: { kind: 'tag', tag: 'HUMAN_AGENT' } });
    expect(r.agentReply.platformRequest).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', recipient: { id: '7101000000000027' } });

    const out = lines.join('\n');
    expect(out).toContain('Answered automatically: 25 of 40 (62.5 %)');
    expect(out).toContain('POST /v1/messages with tag HUMAN_AGENT, sender agent → 202');
  });
});
