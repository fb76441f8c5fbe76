/**
 * The flight-notifications scenario: passengers of LM 417 opt in to "flight updates" through a
 * click-to-chat link on WhatsApp, Messenger or Viber; the airline registers and gets approval for
 * two utility templates; then it sends a gate change (with the boarding pass, a PDF the host renders
 * per passenger from its boarding-pass template, as a document) and a
 * delay to every passenger on the manifest, and reports who got what and who was skipped and why.
 * `npm start` prints it; the test checks what each fake platform received.
 * @module
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type ConnectorPlugin, type FakePlatform, type SignedWebhook } from '@switchboard/core';
import { createSwitchboardClient, type components } from '@switchboard/client';
import { configFromObject, createHost, type Host, type TemplateRecord } from '@switchboard/host';
import type { Conversation, MediaRef } from '@switchboard/core';
import messengerPlugin, { FakeMessengerServer } from '@switchboard/messenger';
import viberPlugin, { FakeViberServer } from '@switchboard/viber';
import whatsappPlugin, { FakeWhatsAppServer } from '@switchboard/whatsapp';
import { DemoClock, eventually, HOUR, messengerText, viberText, whatsappText } from './demo-support.js';
import { boardingPassData, FLIGHT, LINK_TARGETS, optInText, PASSENGERS, PRIVACY, TEMPLATES, TOPIC, type Passenger, type UpdateChannel } from './flight.js';

/** The airline's API key (a demo value; a real one comes from the environment). */
export const API_KEY = 'lumen-air-demo-key-0123456789abcd';
/** The airline's tenant. */
const TENANT_ID = 'lumen-air';
/** Demo time runs this many times faster than the wall clock (WhatsApp paces one message per 6 s to a passenger). */
export const TIME_SCALE = 40;

type Json = Record<string, unknown>;

/** What happened to one update for one passenger. */
export interface Delivery {
  passenger: string;
  channel: UpdateChannel;
  update: 'gate change' | 'boarding pass' | 'delay';
  status: 'queued' | 'skipped';
  /** Why it was skipped: the policy engine's reasons. */
  reasons?: Pick<components['schemas']['PolicyReason'], 'code' | 'source' | 'message'>[];
}

/** The scenario's results. */
export interface FlightNotificationsResult {
  /** Template records after approval. */
  templates: Pick<TemplateRecord, 'channel' | 'name' | 'status'>[];
  deliveries: Delivery[];
  /** Each opt-in flow's ledger, by passenger: the two steps' actions and evidence sources. */
  optIns: Record<string, { status: string; steps: { action: string; source: string }[] }>;
  /** Every request each passenger's platform received, as readable text, oldest first. */
  received: Record<string, string[]>;
  /** The raw bodies, for exact checks. */
  requests: Record<string, Json[]>;
  /** The flight's date the boarding passes carry (`YYYY-MM-DD` at the departure airport). */
  flightDate: string;
  /**
   * Each boarding pass as the passenger's phone got it: the document the platform was sent (its
   * file name, and the platform's reference to the file: WhatsApp's media id after the host's upload,
   * the host's signed link Messenger and Viber fetched), and the bytes the platform holds.
   */
  boardingPasses: Record<string, { filename: string; ref: MediaRef; body: Buffer }>;
  /** The host's stored copy of each boarding pass (`GET /v1/media/:id`), by passenger. */
  storedPasses: Record<string, Buffer>;
}

/** A free loopback port: the host's public URL (where Messenger and Viber fetch files) must be known before it starts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the scenario.
 * @param options.log - where the transcript goes (default: nowhere)
 */
export async function runFlightNotifications(options: { log?: (line: string) => void; database?: string } = {}): Promise<FlightNotificationsResult> {
  const log = options.log ?? ((): void => {});
  const clock = new DemoClock(TIME_SCALE);
  const whatsapp = new FakeWhatsAppServer({ now: () => clock.now() });
  const messenger = new FakeMessengerServer({ now: () => clock.now() });
  const viber = new FakeViberServer();
  const fakes: Record<UpdateChannel, FakePlatform> = { whatsapp, messenger, viber };
  const plugins: Record<UpdateChannel, ConnectorPlugin> = { whatsapp: whatsappPlugin, messenger: messengerPlugin, viber: viberPlugin };
  await Promise.all(Object.values(fakes).map((f) => f.start()));
  const port = await freePort();
  let host: Host | undefined;
  try {
    // a fresh SQLite database file per run (the scenario is scripted); it is left in place to be inspected
    const database = options.database ?? join(mkdtempSync(join(tmpdir(), 'switchboard-flight-notifications-')), 'switchboard.db');
    log(`(database: ${database})`);
    const config = configFromObject({
      store: { kind: 'sqlite', path: database },
      // where the platforms that fetch files (Messenger, Viber) download the boarding passes: the host's signed media URLs
      publicUrl: `http://127.0.0.1:${port}`,
      logLevel: 'silent',
      tenants: [{
        id: 'lumen-air', name: 'Lumen Air', apiKeys: [API_KEY], privacyPolicyVersion: PRIVACY.version,
        // flight updates are transactional; the airline sends them only to passengers who opted in
        policy: { consentRequiredFor: ['transactional', 'marketing'] },
      }],
      connectors: (Object.keys(fakes) as UpdateChannel[]).map((ch) => ({
        package: `@switchboard/${ch}`, plugin: plugins[ch], required: true, accounts: [{ id: 'main', config: fakes[ch].connectorConfig() }],
      })),
      // signs the click-to-chat start tokens (a demo value; a real one comes from the environment)
      optInSecret: 'lumen-air-demo-opt-in-secret-0123',
    }, { env: {} });
    host = await createHost(config, { logger: silentLogger, clock, processor: { pollMs: 10 }, outbound: { timer: clock, dispatcher: { pollMs: 10 } } });
    const { url } = await host.listen(port, '127.0.0.1');
    // the airline's back office talks to the host through the typed client (paths, bodies and answers checked by the compiler)
    const sb = createSwitchboardClient({ baseUrl: url, apiKey: API_KEY });
    /** The answer's data, or an error naming the status and the host's error body. */
    const must = <T>(r: { data?: T; error?: unknown; response: Response }): T => {
      if (r.data === undefined) throw new Error(`${r.response.url} answered ${r.response.status}: ${JSON.stringify(r.error)}`);
      return r.data;
    };

    const requestsTo = (p: Passenger): Json[] => {
      if (p.channel === 'whatsapp') return whatsapp.accepted.filter((a) => a.to === p.userId).map((a) => a.body);
      if (p.channel === 'messenger') return messenger.sent.filter((s) => s.recipientId === p.userId).map((s) => s.body);
      return viber.requests.filter((r) => r.path === '/pa/send_message' && (r.body as Json).receiver === p.userId).map((r) => r.body as Json);
    };
    const textOf = (p: Passenger, body: Json): string => (p.channel === 'whatsapp' ? whatsappText(body) : p.channel === 'messenger' ? messengerText(body) : viberText(body));
    /** The document a send request carries, as each platform's API names the file and its name. */
    const documentOf = (p: Passenger, body: Json): { filename: string; ref: MediaRef } | undefined => {
      const o = (v: unknown): Json => (typeof v === 'object' && v !== null ? v as Json : {});
      // WhatsApp: the media id the host's upload got back
      if (p.channel === 'whatsapp') return body.type === 'document' ? { filename: String(o(body.document).filename), ref: { id: String(o(body.document).id) } } : undefined;
      // Viber: the host's signed link, which the platform fetched
      if (p.channel === 'viber') return body.type === 'file' ? { filename: String(body.file_name), ref: { url: String(body.media) } } : undefined;
      const attachment = o(o(body.message).attachment);
      // Messenger sends no file name: the phone shows the link's last segment
      const url = String(o(attachment.payload).url);
      return attachment.type === 'file' ? { filename: decodeURIComponent(url.split('/').pop()?.split('?')[0] ?? ''), ref: { url } } : undefined;
    };
    /** Messages queued and not yet seen leave the host: message id → conversation id. */
    const pending = new Map<string, string>();
    const optIns: FlightNotificationsResult['optIns'] = {};
    const drained = async (): Promise<void> => {
      await eventually(async () => {
        for (const [id, conversationId] of pending) {
          const { items } = must(await sb.GET('/v1/conversations/{id}/messages', { params: { path: { id: conversationId }, query: { limit: '500' } } }));
          const status = items.find((m) => m.id === id)?.status;
          if (status === 'failed') throw new Error(`message ${id} failed`);
          if (status === 'queued' || status === undefined) return false;
          pending.delete(id);
        }
        return true;
      });
    };
    const conversationOf = async (p: Passenger): Promise<Conversation> => eventually(async () =>
      must(await sb.GET('/v1/conversations', { params: { query: { limit: '500' } } })).items.find((c) => c.address.channel === p.channel && c.address.userId === p.userId) as Conversation | undefined);
    const deliver = async (p: Passenger, webhook: SignedWebhook): Promise<void> => {
      const answer = await fakes[p.channel].deliver(`${url}/webhooks/${p.channel}/main`, webhook);
      if (answer.status !== 200) throw new Error(`the host answered ${answer.status} to a signed ${p.channel} webhook`);
    };
    const say = async (p: Passenger, text: string): Promise<void> => {
      await deliver(p, fakes[p.channel].userMessage({ userId: p.userId, text, name: p.name, timestamp: new Date(clock.now()) }));
      log(`${p.name.padEnd(15)} (${p.channel}) "${text}"`);
    };

    /**
     * A double opt-in: the passenger ticks "flight updates on <channel>" when booking (the first step,
     * recorded by POST /v1/opt-ins, which answers a click-to-chat link carrying a signed start token),
     * then taps the link and sends the start message on the channel (the second step). The host ties
     * the start message to the flow by its token, records both steps' evidence in the consent ledger
     * and confirms to the passenger — on Messenger, whose m.me link starts the chat without a text,
     * after asking the passenger to reply YES.
     */
    const optIn = async (p: Passenger): Promise<void> => {
      const started = must(await sb.POST('/v1/opt-ins', {
        body: {
          purpose: 'transactional', topic: TOPIC, source: 'checkbox',
          wording: `Send me updates about flight ${FLIGHT.number} (booking ${p.booking}) on ${p.channel}`,
          privacyPolicy: PRIVACY,
          // the booking form collected the WhatsApp number; a Messenger or Viber id is only known once the passenger writes
          ...(p.channel === 'whatsapp' ? { address: { channel: p.channel, userId: p.userId } } : {}),
          channels: [{ channel: p.channel, target: LINK_TARGETS[p.channel] }], prefill: optInText(p),
        },
      }));
      const [link] = started.links;
      log(`${p.name.padEnd(15)} ticks "flight updates" for booking ${p.booking}, then taps ${link!.url}`);
      const at = new Date(clock.now());
      if (p.channel === 'whatsapp') await say(p, link!.prefilledText!);
      else if (p.channel === 'messenger') {
        // the m.me ref arrives as a referral when the chat opens; the passenger's first words get the host's question
        await deliver(p, messenger.referral({ userId: p.userId, ref: started.token, timestamp: at }));
        await say(p, `Hi, ${optInText(p)}`);
        await eventually(async () => requestsTo(p).some((b) => /reply yes/i.test(textOf(p, b))));
        await say(p, 'Yes');
      } else {
        await deliver(p, viber.conversationStarted({ user: { id: p.userId, name: p.name }, context: started.token, timestamp: at }));
        await say(p, link!.prefilledText!);
      }
      const confirmed = await eventually(async () => {
        const flow = must(await sb.GET('/v1/opt-ins/{id}', { params: { path: { id: started.flow.id } } }));
        return flow.flow.status === 'confirmed' ? flow : undefined;
      });
      optIns[p.name] = { status: confirmed.flow.status, steps: confirmed.ledger.map((e) => ({ action: e.action, source: e.evidence.source })) };
      await eventually(async () => requestsTo(p).some((b) => /subscribed/i.test(textOf(p, b))));
      log(`${''.padEnd(15)} → double opt-in confirmed (transactional, "${TOPIC}"): both steps in the consent ledger`);
    };

    log(`Lumen Air's host is listening on ${url} (demo time runs ${TIME_SCALE}× faster)`);
    log(`  WhatsApp ${whatsapp.url}, Messenger ${messenger.url}, Viber ${viber.url} (fake platforms)`);

    // ── 1. opt-ins ─────────────────────────────────────────────────────────────────────────────
    log(`\n── 1. passengers opt in to "${TOPIC}" from their booking confirmation ${'─'.repeat(8)}`);
    const early = PASSENGERS.filter((p) => p.story === 'opts-in-days-ago');
    for (const p of early) await optIn(p);
    await drained();
    clock.advance(70 * HOUR);
    log('(70 hours later)');
    for (const p of PASSENGERS) {
      if (p.story === 'opts-in' || p.story === 'opts-in-then-stop') await optIn(p);
      if (p.story === 'asks-about-baggage') await say(p, `Hi, can I bring a second bag on ${FLIGHT.number}?`);
    }
    for (const p of PASSENGERS.filter((x) => x.story === 'opts-in-then-stop')) await say(p, 'STOP');
    await host.processor.idle();
    await drained();
    for (const p of PASSENGERS.filter((x) => x.story === 'never-wrote')) log(`${p.name.padEnd(15)} (${p.channel}) never wrote: on the manifest with a number, but no opt-in`);

    // ── 2. templates ───────────────────────────────────────────────────────────────────────────
    log(`\n── 2. the airline registers two utility templates on every channel ${'─'.repeat(11)}`);
    const channels = Object.keys(fakes) as UpdateChannel[];
    const submittedIds = new Map<string, string>();
    for (const ch of channels) {
      for (const t of TEMPLATES) {
        const created = must(await sb.POST('/v1/templates', { body: { channel: ch, name: t.name, language: 'en', category: 'utility', body: t.body } }));
        const submitted = must(await sb.POST('/v1/templates/{id}/submit', { params: { path: { id: created.id } }, body: { examples: t.examples } }));
        submittedIds.set(`${ch}/${t.name}`, created.id);
        if (ch !== 'whatsapp') {
          // no platform review on this channel: the airline's own approver records the decision
          const decided = must(await sb.POST('/v1/templates/{id}/status', { params: { path: { id: created.id } }, body: { status: 'approved' } }));
          log(`${ch.padEnd(9)} ${t.name.padEnd(12)} created → ${submitted.status} → ${decided.status} by the airline (${ch} has no template review)`);
        } else {
          log(`${ch.padEnd(9)} ${t.name.padEnd(12)} created → ${submitted.status}`);
        }
      }
    }
    // WhatsApp reviews templates itself. When the connector submits them (a TemplateManager), Meta's
    // decision is read back with sync; until then the airline creates them in WhatsApp Manager and
    // records the approval here, as on the other channels
    const reviewedByMeta = whatsapp.requests.some((r) => r.method === 'POST' && r.path.endsWith('/message_templates'));
    if (reviewedByMeta) {
      for (const t of TEMPLATES) whatsapp.approveTemplate(t.name, 'en');
      const synced = must(await sb.POST('/v1/templates/sync', { body: { channel: 'whatsapp' } }));
      log(`Meta's review approves both; POST /v1/templates/sync → ${synced.changed.map((t) => `${t.name} ${t.status}`).join(', ')}`);
    } else {
      for (const t of TEMPLATES) {
        whatsapp.seedTemplate({ name: t.name, language: 'en', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: t.body, example: { body_text: [t.examples] } }] });
        const decided = must(await sb.POST('/v1/templates/{id}/status', { params: { path: { id: submittedIds.get(`whatsapp/${t.name}`)! } }, body: { status: 'approved' } }));
        log(`whatsapp  ${t.name.padEnd(12)} approved in WhatsApp Manager, recorded → ${decided.status} (the connector does not submit templates to Meta yet)`);
      }
    }
    const templates = must(await sb.GET('/v1/templates')).items.map((t) => ({ channel: t.channel, name: t.name, status: t.status }));

    // ── 3 and 4. the updates ───────────────────────────────────────────────────────────────────
    const deliveries: Delivery[] = [];
    const notify = async (template: (typeof TEMPLATES)[number], update: Delivery['update']): Promise<Passenger[]> => {
      const queued: Passenger[] = [];
      for (const ch of channels) {
        const onChannel = PASSENGERS.filter((p) => p.channel === ch);
        // Messenger forbids broadcasts (its policy says so, as data): one request per passenger there
        const batches = plugins[ch].policy.broadcast.allowed ? [onChannel] : onChannel.map((p) => [p]);
        for (const batch of batches) {
          // 202 when at least one recipient was queued, 422 when every one was refused: both carry the per-recipient results
          const sent = await sb.POST('/v1/notifications', {
            body: {
              channel: ch, accountId: 'main', purpose: 'transactional', topic: TOPIC,
              content: { type: 'template', name: template.name, language: 'en', category: 'utility', fallbackText: template.body },
              recipients: batch.map((p) => ({ userId: p.userId, parameters: template.parameters(p).map((text) => ({ text })) })),
            },
          });
          const answer = sent.data ?? sent.error;
          if (!answer || !('results' in answer)) throw new Error(`POST /v1/notifications answered ${sent.response.status}: ${JSON.stringify(sent.error)}`);
          for (const r of answer.results) {
            const p = batch.find((x) => x.userId === r.userId)!;
            if (r.status === 'queued') { queued.push(p); pending.set(r.id, (await conversationOf(p)).id); }
            deliveries.push({
              passenger: p.name, channel: ch, update, status: r.status === 'queued' ? 'queued' : 'skipped',
              ...(r.status === 'denied' ? { reasons: r.reasons.map(({ code, source, message }) => ({ code, source, message })) } : {}),
            });
          }
        }
      }
      return queued;
    };
    const report = (update: Delivery['update']): void => {
      for (const d of deliveries.filter((x) => x.update === update)) {
        const why = d.reasons ? `skipped: ${d.reasons.map((r) => `${r.code} (${r.source}) ${r.message}`).join('; ')}` : 'sent';
        log(`  ${d.passenger.padEnd(15)} ${d.channel.padEnd(9)} ${why}`);
      }
    };

    clock.advance(2 * HOUR);
    log(`\n── 3. (2 hours later) gate change: ${FLIGHT.number} moves from ${FLIGHT.gate} to ${FLIGHT.newGate} ${'─'.repeat(20)}`);
    const gateChanged = await notify(TEMPLATES[0]!, 'gate change');
    report('gate change');
    log('  the boarding pass, with the new gate, follows as a document to everyone the gate change reached:');
    // the host renders it from the booking (the message's data) and the passenger's contact (name,
    // locale, time zone), stores it, and sends it as a document through the policy, the outbox and
    // each platform's way of taking files (WhatsApp's upload, the host's signed link for the others)
    const flightDate = new Intl.DateTimeFormat('en-CA', { timeZone: FLIGHT.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(clock.now());
    const stored = new Map<string, { id: string; sha256: string }>();
    for (const p of gateChanged) {
      const conversation = await conversationOf(p);
      // the booking system keeps the passenger's language and home zone on the contact's profile
      const contact = await host.stores.contacts.get(TENANT_ID, conversation.contactId);
      await host.stores.contacts.update(TENANT_ID, conversation.contactId, { profile: { ...contact!.profile, locale: p.locale, timeZone: p.timeZone } });
      const doc = await sb.POST('/v1/messages', {
        body: {
          conversationId: conversation.id, purpose: 'transactional', topic: TOPIC,
          document: { template: 'boarding-pass', data: boardingPassData(p, flightDate), caption: `Boarding pass ${FLIGHT.number}, seat ${p.seat}, gate ${FLIGHT.newGate}` },
        },
      });
      if (doc.data?.id) {
        pending.set(doc.data.id, conversation.id);
        const message = (await host.stores.messages.get(TENANT_ID, doc.data.id))!;
        const media = (message.content as { media: { storedId: string; filename: string; size: number; sha256: string } }).media;
        stored.set(p.name, { id: media.storedId, sha256: media.sha256 });
        log(`  ${p.name.padEnd(15)} ${media.filename} (${(media.size / 1024).toFixed(1)} kB, ${p.locale}) → queued`);
      } else {
        log(`  ${p.name.padEnd(15)} boarding pass → refused ${doc.response.status}`);
      }
      deliveries.push({ passenger: p.name, channel: p.channel, update: 'boarding pass', status: doc.data ? 'queued' : 'skipped', ...(doc.error && 'reasons' in doc.error.error ? { reasons: doc.error.error.reasons as Delivery['reasons'] } : {}) });
    }
    report('boarding pass');
    await drained();

    clock.advance(HOUR / 2);
    log(`\n── 4. (30 minutes later) delay: new departure ${FLIGHT.newDeparture} ${'─'.repeat(33)}`);
    await notify(TEMPLATES[1]!, 'delay');
    report('delay');
    await drained();

    log(`\n── what each passenger's phone received ${'─'.repeat(39)}`);
    const received: Record<string, string[]> = {};
    const requests: Record<string, Json[]> = {};
    const boardingPasses: FlightNotificationsResult['boardingPasses'] = {};
    for (const p of PASSENGERS) {
      requests[p.name] = requestsTo(p);
      received[p.name] = requests[p.name]!.map((b) => textOf(p, b));
      log(`${p.name} (${p.channel}):`);
      for (const line of received[p.name]!) log(`    ${line}`);
      if (received[p.name]!.length === 0) log('    (nothing)');
      // the phone opens the document the platform holds
      for (const body of requests[p.name]!) {
        const doc = documentOf(p, body);
        if (!doc) continue;
        // Messenger keeps a file it fetched as a reusable attachment: the host kept its attachment_id
        const sha256 = stored.get(p.name)?.sha256 ?? '';
        const kept = p.channel === 'messenger' ? (await host.outbound.uploadedMedia.find({ tenantId: TENANT_ID, channel: 'messenger', account: 'main', kind: 'document', sha256 }, clock.now()))?.ref : undefined;
        const held = fakes[p.channel].storedMedia!(kept ?? doc.ref);
        if (!held) throw new Error(`${p.channel} holds no file for ${JSON.stringify(doc.ref)}`);
        boardingPasses[p.name] = { ...doc, body: held };
        log(`    (opens ${doc.filename}: ${held.length} bytes)`);
      }
    }
    // the host's own copy of each boarding pass (what it uploaded or let the platforms fetch)
    const storedPasses: Record<string, Buffer> = {};
    for (const [name, { id }] of stored) {
      const res = await fetch(`${url}/v1/media/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      if (!res.ok) throw new Error(`GET /v1/media/${id} answered ${res.status}`);
      storedPasses[name] = Buffer.from(await res.arrayBuffer());
    }
    return { templates, deliveries, optIns, received, requests, flightDate, boardingPasses, storedPasses };
  } finally {
    await host?.stop();
    await Promise.all(Object.values(fakes).map((f) => f.stop()));
  }
}
