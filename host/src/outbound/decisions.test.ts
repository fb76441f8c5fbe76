/**
 * The outbound decision path: every accepted send and every refusal keeps its decision record; the
 * send point checks consent again after every wait; the compliance report lists what was sent on
 * which consent; the messaging-limit tier is counted in the store and enforced; prices follow the
 * recipient's market; the cost ledger records the price the engine decided. Time is a manual clock
 * that moves only when the test or a dispatcher wait moves it.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Content } from '@switchboard/core';
import { outboundWorld, type OutboundWorld } from '../__fixtures__/outbound-world.js';
import { CostRecorder } from '../analytics/cost-recorder.js';
import { StaticConnectorRegistry } from '../plugins/connector-registry.js';
import { buildComplianceReport } from '../compliance/compliance-report.js';
import { canonicalJson, versionOf } from './decision-record.js';
import { tenantOutboundPolicy } from './outbound-runtime.js';
import { countryTimeZone, phoneCountry, recipientCountry, recipientTimeZone } from './recipient-market.js';

const template = (name: string, category: 'marketing' | 'utility' | 'authentication'): Content => ({ type: 'template', name, language: 'en', category });
const DE = '4915112345678';
const US = '12125550123';
const HOUR = 3_600_000;

let world: OutboundWorld | undefined;
afterEach(async () => { await world?.stop(); world = undefined; });

/** A world with a WhatsApp customer in Germany who opted in to marketing, outside the window. */
async function germanCustomer(w: OutboundWorld, userId = DE): Promise<{ contactId: string; optIn: Awaited<ReturnType<OutboundWorld['consent']>> }> {
  const { contactId } = await w.customerWrote('whatsapp', userId);
  const optIn = await w.consent(contactId, 'whatsapp', 'opt-in', 'marketing');
  w.clock.advance(30 * HOUR);
  return { contactId, optIn };
}

describe('decision records', () => {
  it('regression: an accepted send keeps why it was allowed — rules with their sources, the consent relied on, the policy and price-table versions', async () => {
    const w = world = outboundWorld({ country: 'DE' });
    await w.template('whatsapp', 'autumn_offer', 'marketing');
    const { contactId, optIn } = await germanCustomer(w);
    const outcome = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId: DE, content: template('autumn_offer', 'marketing'), purpose: 'marketing', sender: 'system' });
    expect(outcome.accepted).toBe(true);
    if (!outcome.accepted) return;
    const record = (await w.stores.decisions.findByMessage('shop', outcome.id))!;
    expect(record.id).toBe(outcome.decisionId);
    expect(record).toMatchObject({
      tenantId: 'shop', messageId: outcome.id, contactId, channel: 'whatsapp', accountId: 'whatsapp-acc', userId: DE, via: 'api',
      verdict: 'allow', reasons: [], inWindow: false, market: 'DE', jurisdiction: { tenantCountry: 'DE', recipientCountry: 'DE' },
      intent: { purpose: 'marketing', sender: 'system', contentType: 'template', template: { name: 'autumn_offer', language: 'en', category: 'marketing' } },
      price: { amount: 0.1131, currency: 'EUR', category: 'marketing' },
    });
    // the opt-in it relied on, with its evidence
    expect(record.consent).toEqual([{ id: optIn.id, role: 'grant', action: 'opt-in', channel: 'whatsapp', scope: 'all-channels', purpose: 'marketing', at: optIn.at, evidence: optIn.evidence }]);
    // the effective rules, each with the sources that imposed it
    expect(record.effective).toContainEqual(expect.objectContaining({ rule: 'consentRequiredFor', sources: expect.arrayContaining(['channel', 'law']) }));
    expect(record.effective).toContainEqual(expect.objectContaining({ rule: 'serviceWindowHours', value: 24, sources: ['channel'] }));
    // the versions in force: the tenant's policy and the channel's price table, as hashes of their canonical JSON
    expect(record.versions.tenantPolicy).toBe(versionOf(tenantOutboundPolicy(w.tenant)));
    expect(record.versions.priceTable).toBe(versionOf(w.bindings[0]!.plugin.policy.pricing));
    expect(record.versions.priceTable).toMatch(/^sha256:[0-9a-f]{16}$/);
    // no text of the message is kept in the record
    expect(JSON.stringify(record)).not.toContain('autumn_offer body');
  });

  it('regression: a refusal through the API keeps a decision record with every reason, fetchable by its id', async () => {
    const w = world = outboundWorld();
    await w.template('whatsapp', 'autumn_offer', 'marketing');
    await w.customerWrote('whatsapp', DE);
    w.clock.advance(30 * HOUR);
    const outcome = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId: DE, content: template('autumn_offer', 'marketing'), purpose: 'marketing', sender: 'system' });
    expect(outcome).toMatchObject({ accepted: false, decisionId: expect.any(String) });
    const record = (await w.stores.decisions.get('shop', outcome.decisionId))!;
    expect(record).toMatchObject({ verdict: 'deny', reasons: [expect.objectContaining({ code: 'NO_CONSENT' })], consent: [] });
    expect(record.messageId).toBeUndefined();
    expect(await w.stores.decisions.get('other-tenant', outcome.decisionId)).toBeUndefined();
  });

  it('versions: the same content has the same version whatever its key order; any change gives another (property)', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 6 }), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      expect(versionOf(reversed)).toBe(versionOf(obj));
      expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
    }));
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.integer(), { minKeys: 1, maxKeys: 6 }), (obj) => {
      const [k, v] = Object.entries(obj)[0]!;
      expect(versionOf({ ...obj, [k]: v + 1 })).not.toBe(versionOf(obj));
    }));
  });
});

describe('the send point and the compliance report', () => {
  it('regression: consent withdrawn while the message waited for its rate slot stops it at the send point; the report lists no send that left after a withdrawal', async () => {
    const w = world = outboundWorld();
    await w.template('whatsapp', 'autumn_offer', 'marketing');
    const { contactId } = await germanCustomer(w);
    const outcome = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId: DE, content: template('autumn_offer', 'marketing'), purpose: 'marketing', sender: 'system' });
    if (!outcome.accepted) throw new Error('refused');
    // the account's budget is booked 5 s ahead: the message waits for its slot, and meanwhile the customer opts out
    await w.runtime.budget.penalize('whatsapp:main', w.clock.now() + 5000);
    let optedOut = false;
    w.onWait = async () => {
      if (optedOut) return;
      optedOut = true;
      await w.consent(contactId, 'whatsapp', 'opt-out', 'marketing', { evidence: { source: 'keyword', text: 'STOP' } });
    };
    expect(await w.dispatched(outcome.id)).toBe('failed');
    expect(optedOut).toBe(true);
    expect(w.sent).toHaveLength(0);
    expect((await w.stores.messages.get('shop', outcome.id))?.error).toMatchObject({ code: 'POLICY_DENIED' });
    const record = (await w.stores.decisions.findByMessage('shop', outcome.id))!;
    expect(record.sendCheck).toMatchObject({ verdict: 'deny', reasons: [expect.objectContaining({ code: 'OPTED_OUT' })], consent: [expect.objectContaining({ role: 'revocation', action: 'opt-out' })] });
    const report = await buildComplianceReport(w.stores, 'shop', { from: new Date(0), to: new Date(w.clock.now() + HOUR) });
    expect(report.withdrawnBeforeSend).toEqual([]);
    expect(report.totals).toEqual({ marketing: 1, notification: 0, leftHost: 0, stoppedAtSendPoint: 1 });
  });

  it('lists marketing and notification sends with the consent each relied on, and names a send that left after its consent was withdrawn', async () => {
    const w = world = outboundWorld();
    await w.template('whatsapp', 'autumn_offer', 'marketing');
    await w.template('whatsapp', 'order_shipped', 'utility');
    const { contactId, optIn } = await germanCustomer(w);
    const updates = await w.consent(contactId, 'whatsapp', 'opt-in', 'transactional', { topic: 'order updates' });
    const from = new Date(w.clock.now());
    const marketing = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId: DE, content: template('autumn_offer', 'marketing'), purpose: 'marketing', sender: 'system' });
    const notification = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId: DE, content: template('order_shipped', 'utility'), purpose: 'transactional', topic: 'order updates', sender: 'system' });
    if (!marketing.accepted || !notification.accepted) throw new Error('refused');
    expect(await w.dispatched(marketing.id)).toBe('sent');
    w.clock.advance(6000);
    expect(await w.dispatched(notification.id)).toBe('sent');
    const range = { from, to: new Date(w.clock.now() + HOUR) };
    const report = await buildComplianceReport(w.stores, 'shop', range);
    expect(report.sends.items.map((s) => [s.kind, s.messageId, s.status, s.consent.map((c) => c.id)])).toEqual([
      ['marketing', marketing.id, 'sent', [optIn.id]],
      ['notification', notification.id, 'sent', [updates.id]],
    ]);
    expect(report.withdrawnBeforeSend).toEqual([]);
    // an opt-out the platform timestamped before the send but the host learned of only afterwards: the report names the send
    await w.consent(contactId, 'whatsapp', 'opt-out', 'marketing', { id: 'late-opt-out', at: new Date(w.clock.now() - 7000), evidence: { source: 'platform' } });
    const after = await buildComplianceReport(w.stores, 'shop', range);
    expect(after.withdrawnBeforeSend).toEqual([expect.objectContaining({ messageId: marketing.id, kind: 'marketing', withdrawal: expect.objectContaining({ id: 'late-opt-out' }) })]);
  });
});

describe('messaging-limit usage', () => {
  it('regression: the unique-recipient tier is fed and enforced — the 1,001st new recipient on a 1K tier is refused with the tier\'s reason; a recipient already counted is still allowed', async () => {
    const w = world = outboundWorld();
    await w.template('whatsapp', 'order_shipped', 'utility');
    const account = { tenantId: 'shop', channel: 'whatsapp', accountId: 'whatsapp-acc' };
    // customers who wrote more than 24 h ago: the messages are business-initiated
    const first = await w.customerWrote('whatsapp', '4917000000001');
    await w.consent(first.contactId, 'whatsapp', 'opt-in', 'transactional');
    const second = await w.customerWrote('whatsapp', '4917000000002');
    await w.consent(second.contactId, 'whatsapp', 'opt-in', 'transactional');
    w.clock.advance(25 * HOUR);
    // 999 recipients already counted in the last 24 h (through any host process on the store)
    for (let i = 0; i < 999; i++) {
      expect((await w.stores.usage.claim(account, `49151${String(i).padStart(8, '0')}`, new Date(w.clock.now() - HOUR), { limit: 1000, windowMs: 24 * HOUR })).admitted).toBe(true);
    }
    const utility = (userId: string) => w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId, content: template('order_shipped', 'utility'), purpose: 'transactional', sender: 'system' });
    const thousandth = await utility('4917000000001');
    expect(thousandth.accepted).toBe(true);
    const refused = await utility('4917000000002');
    expect(refused).toMatchObject({ accepted: false, reasons: [expect.objectContaining({ code: 'RATE_LIMITED', source: 'channel', message: expect.stringContaining('1000') })] });
    const record = (await w.stores.decisions.get('shop', refused.decisionId))!;
    expect(record.usage).toEqual({ uniqueRecipients: 1000, recipientCounted: false, limit: 1000, windowMs: 24 * HOUR });
    // the 1,000th recipient is counted: another message to them is no new recipient
    const again = await utility('4917000000001');
    expect(again.accepted).toBe(true);
  });
});

describe('the recipient\'s market', () => {
  it('phone numbers give their country; other channels take what the platform reported', () => {
    expect(phoneCountry('4930901820')).toBe('DE');
    expect(phoneCountry('+1 212 555 0123')).toBe('US');
    expect(phoneCountry('14165550123')).toBe('CA');
    expect(phoneCountry('0301234567')).toBeUndefined();
    expect(phoneCountry('not a number')).toBeUndefined();
    expect(recipientCountry({ channel: 'telegram', userId: '4930901820' })).toBeUndefined();
    expect(recipientCountry({ channel: 'viber', userId: 'abc=' }, { profile: { country: 'ge' } })).toBe('GE');
    fc.assert(fc.property(fc.string(), (s) => { const c = phoneCountry(s); expect(c === undefined || /^[A-Z]{2}$/.test(c)).toBe(true); }));
  });

  it('regression: prices ignore the recipient\'s market — a WhatsApp marketing template to +49 is priced at the DE rate, to +1 212 at the US rate', async () => {
    const w = world = outboundWorld();
    await w.template('whatsapp', 'autumn_offer', 'marketing');
    for (const [userId, amount, market] of [[DE, 0.1131, 'DE'], [US, 0.0250, 'US']] as const) {
      const { contactId } = await w.customerWrote('whatsapp', userId);
      await w.consent(contactId, 'whatsapp', 'opt-in', 'marketing');
      const outcome = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId, content: template('autumn_offer', 'marketing'), purpose: 'marketing', sender: 'system' });
      expect(outcome).toMatchObject({ accepted: true, price: { amount, currency: 'EUR', category: 'marketing' } });
      expect((await w.stores.decisions.get('shop', outcome.decisionId))?.market).toBe(market);
    }
  });

  it('regression: Viber\'s reported country prices a business-initiated message at that market\'s rate', async () => {
    const w = world = outboundWorld();
    const { contactId } = await w.customerWrote('viber', 'viberUser01AAAA=', { name: 'Nino', country: 'GE' });
    await w.consent(contactId, 'viber', 'opt-in', 'marketing');
    w.clock.advance(30 * HOUR);
    const outcome = await w.runtime.service.send('shop', { channel: 'viber', accountId: 'main', userId: 'viberUser01AAAA=', content: { type: 'text', text: 'Autumn sale' }, purpose: 'marketing', sender: 'bot' });
    expect(outcome).toMatchObject({ accepted: true, price: { amount: 0.0115, category: 'business-initiated' } });
  });
});

describe('the recipient\'s time zone', () => {
  it('is the country\'s when the whole country keeps one civil time, the contact\'s own where it says', () => {
    expect(countryTimeZone('DE')).toBe('Europe/Berlin'); // Büsingen's Europe/Zurich keeps the same time
    expect(countryTimeZone('US')).toBeUndefined();
    expect(countryTimeZone('ZZ')).toBeUndefined();
    expect(recipientTimeZone('US', { profile: { timeZone: 'America/Chicago' } })).toBe('America/Chicago');
    expect(recipientTimeZone('DE', { profile: { timeZone: 'Not/AZone' } })).toBe('Europe/Berlin');
    expect(recipientTimeZone(undefined)).toBeUndefined();
  });

  it('regression: quiet hours were kept on the tenant\'s clock only — a +49 recipient is judged on Berlin time, a +1 one (several zones) on the tenant\'s', async () => {
    // the tenant in New York keeps 22:00–07:00; 11:00 UTC is 06:00 in New York and 12:00 in Berlin
    const w = world = outboundWorld({ timeZone: 'America/New_York', policy: { quietHours: { start: '22:00', end: '07:00', timeZone: 'America/New_York' } } });
    await w.template('whatsapp', 'order_update', 'utility');
    const results: Record<string, unknown> = {};
    for (const userId of [DE, US]) {
      const { contactId } = await w.customerWrote('whatsapp', userId);
      await w.consent(contactId, 'whatsapp', 'opt-in', 'transactional');
    }
    w.clock.advance(25 * HOUR); // the window closed: business-initiated
    expect(new Date(w.clock.now()).toISOString()).toBe('2026-12-02T11:00:00.000Z');
    for (const userId of [DE, US]) {
      const outcome = await w.runtime.service.send('shop', { channel: 'whatsapp', accountId: 'main', userId, content: template('order_update', 'utility'), purpose: 'transactional', topic: 'order updates', sender: 'system' });
      results[userId] = outcome.accepted ? 'accepted' : (outcome as { reasons: { code: string }[] }).reasons.map((r) => r.code);
    }
    expect(results).toEqual({ [DE]: 'accepted', [US]: ['QUIET_HOURS'] });
  });
});

describe('the cost ledger', () => {
  it('regression: a marketing broadcast on Telegram appears in the cost ledger under marketing (the price the engine decided)', async () => {
    const w = world = outboundWorld();
    const recorder = new CostRecorder({ stores: w.stores, costs: w.stores.costs, connectors: new StaticConnectorRegistry(w.bindings), clock: w.clock, logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } as never });
    const recorded: Promise<unknown>[] = [];
    const ids: string[] = [];
    for (const chat of ['700001', '700002']) {
      const { contactId } = await w.customerWrote('telegram', chat);
      await w.consent(contactId, 'telegram', 'opt-in', 'marketing');
      const outcome = await w.runtime.service.send('shop', { channel: 'telegram', accountId: 'main', userId: chat, content: { type: 'text', text: 'Autumn sale: 20 % off' }, purpose: 'marketing', sender: 'system' });
      if (!outcome.accepted) throw new Error(JSON.stringify(outcome.reasons));
      ids.push(outcome.id);
    }
    for (const id of ids) {
      expect(await w.dispatched(id)).toBe('sent');
      const message = (await w.stores.messages.get('shop', id))!;
      recorded.push(recorder.handle({ tenantId: 'shop', conversationId: message.conversationId, message, status: 'sent' }));
    }
    await Promise.all(recorded);
    const ledger = await w.stores.costs.list('shop', { from: new Date(0), to: new Date(w.clock.now() + HOUR) });
    expect(ledger.map((e) => [e.channel, e.category, e.amount])).toEqual([['telegram', 'marketing', 0], ['telegram', 'marketing', 0]]);
  });
});
