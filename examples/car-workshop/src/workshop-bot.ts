/**
 * The workshop's bot handler: answers "is my car ready?", opening hours and cost questions from
 * the service-order table, offers quick replies, and hands the conversation to the service desk
 * (a human agent queue) when the customer asks for a person or the bot cannot answer.
 * @module
 */
import type { Content } from '@switchboard/core';
import type { BotContext, BotHandler } from '@switchboard/host';
import { euros, stageMessage, type ServiceOrder, type ServiceOrderTable } from './service-orders.js';

/** What a customer's message is about. */
export type Intent = 'human' | 'status' | 'hours' | 'cost' | 'greeting' | 'unknown';

/** The conversation tags the bot leaves, so the API (and the test) can count its outcomes. */
export const OUTCOME_TAGS = { answered: 'answered-by-bot', handedOver: 'handed-over' } as const;

/** The quick replies offered under every answer (WhatsApp shows at most 3, titles ≤ 20 characters). */
export const QUICK_REPLIES = [
  { id: 'status', title: 'Is it ready?' },
  { id: 'hours', title: 'Opening hours' },
  { id: 'human', title: 'Talk to a person' },
] as const;

/** The workshop's opening hours, as the bot states them. */
export const OPENING_HOURS = 'We are open Monday to Friday 7:30–18:00 and Saturday 9:00–13:00. Vehicles can be collected until closing time.';

const RULES: [Exclude<Intent, 'unknown'>, RegExp][] = [
  ['human', /\b(agent|human|person|someone|somebody|staff|advisor|adviser|call me|speak to|talk to|complain|complaint)\b/i],
  ['cost', /\b(cost|costs|price|invoice|bill|how much|pay|quote|estimate)\b/i],
  ['hours', /\b(open|opening|hours|close|closing|closed)\b/i],
  ['status', /\b(ready|done|finished|status|progress|pick (it )?up|collect|how long|when|update|news)\b/i],
  ['greeting', /^\s*(hi|hello|hey|good (morning|afternoon|evening)|hallo|moin)\b[\s!.]*$/i],
];

/**
 * Classifies a message: a quick-reply tap by its id, a text by the first rule that matches
 * (a request for a person wins over everything else).
 * @param content - the inbound content
 * @param text - its text, when it has one
 * @returns the intent
 */
export function classify(content: Content, text: string | undefined): Intent {
  if (content.type === 'reply' && QUICK_REPLIES.some((q) => q.id === content.id)) return content.id as Intent;
  if (text === undefined) return 'unknown';
  return RULES.find(([, pattern]) => pattern.test(text))?.[0] ?? 'unknown';
}

/** What the bot decided for one message. */
export interface BotDecision {
  intent: Intent;
  /** `answered`: the bot gave the information itself; `handover`: a person takes over. */
  outcome: 'answered' | 'handover';
  text: string;
  order?: ServiceOrder;
}

/**
 * Decides the answer to one message without side effects (the handler sends it).
 * @param table - the service orders
 * @param channel - the channel the customer wrote on
 * @param userId - the customer's id there
 * @param content - what they sent
 * @param text - its text
 */
export function decide(table: ServiceOrderTable, channel: string, userId: string, content: Content, text: string | undefined): BotDecision {
  const intent = classify(content, text);
  const order = (text ? table.mentionedIn(text) : undefined) ?? table.byCustomer(channel, userId);
  const withOrder = order ? { order } : {};
  switch (intent) {
    case 'human':
      return { intent, outcome: 'handover', text: 'Of course — I am passing you to our service desk. A colleague will answer here as soon as possible.', ...withOrder };
    case 'hours':
      return { intent, outcome: 'answered', text: OPENING_HOURS, ...withOrder };
    case 'greeting':
      return { intent, outcome: 'answered', text: 'Hello! I am the workshop assistant. I can tell you how your vehicle is doing, our opening hours, or put you through to a person.', ...withOrder };
    case 'status':
    case 'cost':
      if (!order) {
        return { intent, outcome: 'handover', text: 'I could not find a service order for you. I am passing you to our service desk, who will look it up.' };
      }
      return intent === 'status'
        ? { intent, outcome: 'answered', text: `${stageMessage(order)} (order ${order.number}, ${order.plate})`, order }
        : { intent, outcome: 'answered', text: `The estimate for order ${order.number} (${order.work}) is ${euros(order.estimateCents)} including VAT. Your service advisor calls you before any extra work.`, order };
    case 'unknown':
      return { intent, outcome: 'handover', text: 'I am not sure I can answer that, so I am passing you to our service desk. A colleague will reply here.', ...withOrder };
  }
}

/**
 * The bot handler registered in the host config (`bots: { workshop: new WorkshopBot(table) }`).
 * Every answer goes through `ctx.reply`, so the policy engine checks it like any other message.
 */
export class WorkshopBot implements BotHandler {
  /** @param table - the service orders the bot answers from */
  constructor(private readonly table: ServiceOrderTable) {}

  /** @inheritdoc */
  async handle(ctx: BotContext): Promise<void> {
    // STOP, START and "important only" are recorded and confirmed by the host: no answer of ours after them
    if (ctx.keyword) return;
    const { channel, userId } = ctx.conversation.address;
    const d = decide(this.table, channel, userId, ctx.message.content, ctx.text);
    if (d.outcome === 'handover') {
      await ctx.reply(d.text);
      await ctx.tag(OUTCOME_TAGS.handedOver, `intent:${d.intent}`, ...(d.order ? [`order:${d.order.number}`] : []));
      await ctx.handover({ reason: d.intent === 'human' ? 'customer asked for a person' : 'the bot could not answer' });
      return;
    }
    const answer: Content = { type: 'interactive', body: d.text, quickReplies: QUICK_REPLIES.filter((q) => q.id !== d.intent).map((q) => ({ ...q })) };
    const result = await ctx.reply(answer);
    // a channel that refuses the quick replies still gets the answer
    if (result.status === 'denied') await ctx.reply(d.text);
    await ctx.tag(OUTCOME_TAGS.answered, `intent:${d.intent}`, ...(d.order ? [`order:${d.order.number}`] : []));
  }
}
