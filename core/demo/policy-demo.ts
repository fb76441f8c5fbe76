/**
 * A short demo of the policy engine on real scenarios: it prints the effective policy of a channel
 * with the source of every rule, then each decision with its reasons.
 * Run with `npx tsx core/demo/policy-demo.ts`.
 */
import {
  DEFAULT_BUSINESS_POLICY, deriveConsentState, explain, explainDecision, ManualClock, MeetPolicyEngine,
  type MessageIntent, type PolicyContext,
} from '../src/index.js';
import { messengerPolicy, telegramPolicy, whatsappPolicy } from '../src/__fixtures__/channel-policies.js';
import { annaLedger, ledgerEntry, NOW } from '../src/__fixtures__/policy-scenarios.js';

const HOUR = 3_600_000;
const clock = new ManualClock(NOW);
const engine = new MeetPolicyEngine(clock);

// the business: a 12 h reply window and quiet hours at night, on top of the default opt-in rules
const business = { ...DEFAULT_BUSINESS_POLICY, serviceWindowHours: 12, quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' } };
const anna = deriveConsentState(annaLedger, { channel: 'whatsapp' });
const ben = deriveConsentState([
  ledgerEntry({ channel: 'whatsapp', action: 'opt-in', purpose: 'transactional', topic: 'payment confirmation', at: new Date(NOW - 10 * 24 * HOUR) }),
], { channel: 'whatsapp' });

console.log(`Switchboard policy demo — decisions at ${new Date(NOW).toISOString()}\n`);
console.log(explain(engine.effective({ channelPolicy: whatsappPolicy, business, consent: anna })));
console.log();

const scenarios: { title: string; intent: MessageIntent; context: PolicyContext }[] = [
  {
    title: 'Car workshop: the bot answers a customer who wrote 2 hours ago (WhatsApp)',
    intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'bot', content: { type: 'text', text: 'Your VW Golf is ready for pick-up.' } },
    context: { channelPolicy: whatsappPolicy, business, conversation: { lastInboundAt: NOW - 2 * HOUR } },
  },
  {
    title: 'Car workshop: an agent follows up 30 hours later with free text (WhatsApp)',
    intent: { channel: 'whatsapp', userId: '4915112345678', purpose: 'service', sender: 'agent', content: { type: 'text', text: 'Did the new brakes work out?' } },
    context: { channelPolicy: whatsappPolicy, business, conversation: { lastInboundAt: NOW - 30 * HOUR } },
  },
  {
    title: 'Airline: gate change as an approved utility template, outside the window, to an opted-in passenger (WhatsApp)',
    intent: {
      channel: 'whatsapp', userId: '4915112345678', purpose: 'transactional', topic: 'flight updates', sender: 'system',
      content: { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 1234' }, { text: 'B42' }] },
    },
    context: { channelPolicy: whatsappPolicy, business, consent: anna, conversation: { lastInboundAt: NOW - 3 * 24 * HOUR }, template: { status: 'approved' } },
  },
  {
    title: 'Airline: the same gate change to a passenger who only opted in to "payment confirmation" (WhatsApp)',
    intent: {
      channel: 'whatsapp', userId: '4915187654321', purpose: 'transactional', topic: 'flight updates', sender: 'system',
      content: { type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 1234' }, { text: 'B42' }] },
    },
    context: { channelPolicy: whatsappPolicy, business, consent: ben, template: { status: 'approved' } },
  },
  {
    title: 'Snack stand: a marketing template to a customer who never agreed to marketing (WhatsApp)',
    intent: { channel: 'whatsapp', userId: '4915187654321', purpose: 'marketing', sender: 'system', content: { type: 'template', name: 'weekend_offer', language: 'de_DE', category: 'marketing' } },
    context: { channelPolicy: whatsappPolicy, business, consent: ben, template: { status: 'approved' } },
  },
  {
    title: 'A bot uses the HUMAN_AGENT tag 3 days after the customer wrote (Messenger)',
    intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'bot', tag: 'HUMAN_AGENT', content: { type: 'text', text: 'Automated reminder' } },
    context: { channelPolicy: messengerPolicy, conversation: { lastInboundAt: NOW - 3 * 24 * HOUR } },
  },
  {
    title: 'A human agent uses the HUMAN_AGENT tag 3 days after the customer wrote (Messenger)',
    intent: { channel: 'messenger', userId: '6254598401234567', purpose: 'service', sender: 'agent', tag: 'HUMAN_AGENT', content: { type: 'text', text: 'Sorry for the wait: your refund is on its way.' } },
    context: { channelPolicy: messengerPolicy, conversation: { lastInboundAt: NOW - 3 * 24 * HOUR } },
  },
  {
    title: 'A bot writes first to a Telegram user who never sent /start (Telegram)',
    intent: { channel: 'telegram', userId: '123456789', purpose: 'service', sender: 'bot', content: { type: 'text', text: 'Hello from the workshop!' } },
    context: { channelPolicy: telegramPolicy, business: DEFAULT_BUSINESS_POLICY },
  },
];

for (const [i, s] of scenarios.entries()) {
  console.log(`${i + 1}. ${s.title}`);
  console.log(explainDecision(engine.evaluate(s.intent, s.context)).replace(/^/gm, '   '));
  console.log();
}
