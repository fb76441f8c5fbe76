/**
 * A host in a process of its own, for the crash-and-restart tests: the config comes as JSON in
 * `CHILD_HOST_CONFIG`; it prints `STARTING` before it opens its store, `LISTENING <url>` once it
 * serves, and stops gracefully on SIGTERM.
 *
 * `CHILD_HOOKS` (JSON, all optional) makes it stall at exactly the point a test kills it, printing
 * a marker first. Every hook is this harness wrapping a store method after the host was built —
 * never the host's own code:
 * - `stallAfterInboxWrite`: every webhook stalls right after its inbox rows are committed, before
 *   the 200 (`INBOX_WRITTEN <n>`);
 * - `stallInboxAfter: n`: the inbox processor completes `n` entries, then every further completion
 *   stalls (`INBOX_COMPLETED <n>`), so a kill lands in the middle of processing;
 * - `stallOutboxComplete: [userId…]`: the send to one of these customers was accepted by the
 *   platform and its parts recorded, and its result (the entry sent with its message) is never
 *   written (`OUTBOX_COMPLETE <userId>`);
 * - `stallBeforePartRecord: [userId…]`: the platform accepted the first part, and the host stalls
 *   before recording it (`PART_ACCEPTED <userId>`) — the duplicate window;
 * - `stallAfterPartRecord: [userId…]`: the first part is accepted and recorded, and the host stalls
 *   before sending the next (`PART_RECORDED <userId>`);
 * - `console`: the agent console is on (cheap password hashing), with agent `ops@shop.test` / `ops password 1`.
 *
 * Run with `node --import tsx` and `TSX_TSCONFIG_PATH=test/reliability/support/tsconfig.child.json`
 * (workspace packages resolve to their sources, as in vitest).
 */
import { silentLogger } from '@switchboard/core';
import { configFromObject, createConsoleFeature, createHost, type HostMessage } from '@switchboard/host';
import type { HostChildHooks } from './host-child.js';

type Hooks = HostChildHooks;

const hooks = JSON.parse(process.env.CHILD_HOOKS ?? '{}') as Hooks;
const config = configFromObject(JSON.parse(process.env.CHILD_HOST_CONFIG ?? '{}') as Record<string, unknown>);
const say = (line: string): void => { process.stdout.write(`${line}\n`); };
const stall = (): Promise<never> => new Promise<never>(() => { /* until the process is killed */ });

say('STARTING');
const host = await createHost(config, {
  logger: silentLogger,
  // short leases: a killed process's work (inbox entries it was processing, outbox entries it was
  // sending) is taken over within seconds — the tests wait for that takeover before counting
  processor: { pollMs: 20, retryBaseMs: 20, leaseMs: 5_000 },
  outbound: { dispatcher: { pollMs: 20, leaseMs: 2_000, backoff: { baseMs: 50, maxMs: 200 } } },
  ...(hooks.console ? { features: [createConsoleFeature({ scrypt: { N: 2 ** 12, r: 8, p: 1 }, seedAgents: [{ tenantId: config.tenants[0]!.id, email: 'ops@shop.test', name: 'Ops', password: 'ops password 1', role: 'admin' }] })] } : {}),
});
const tenantId = config.tenants[0]!.id;
const { inbox, outbox, messages } = host.stores;

if (hooks.stallAfterInboxWrite) {
  const add = inbox.add.bind(inbox);
  inbox.add = async (entries) => {
    const result = await add(entries);
    say(`INBOX_WRITTEN ${result.inserted.length}`);
    return stall();
  };
}

if (hooks.stallInboxAfter !== undefined) {
  const limit = hooks.stallInboxAfter;
  const complete = inbox.complete.bind(inbox);
  let done = 0;
  inbox.complete = async (id, owner, now) => {
    if (done >= limit) return stall();
    await complete(id, owner, now);
    if (++done === limit) say(`INBOX_COMPLETED ${done}`);
  };
}

if (hooks.stallOutboxComplete?.length) {
  const users = new Set(hooks.stallOutboxComplete);
  const completeSend = outbox.completeSend.bind(outbox);
  outbox.completeSend = async (sent, owner, accepted, now) => {
    const entry = await outbox.get(tenantId, sent.id);
    if (entry && users.has(entry.message.to.userId)) {
      say(`OUTBOX_COMPLETE ${entry.message.to.userId}`);
      return stall();
    }
    return completeSend(sent, owner, accepted, now);
  };
}

if (hooks.stallBeforePartRecord?.length || hooks.stallAfterPartRecord?.length) {
  const before = new Set(hooks.stallBeforePartRecord ?? []);
  const after = new Set(hooks.stallAfterPartRecord ?? []);
  const update = messages.update.bind(messages);
  messages.update = async (tenant, id, patch) => {
    // the dispatcher records the first accepted part as the message's externalId, without partIds
    const firstPart = patch.externalId !== undefined && patch.partIds === undefined;
    const message: HostMessage | undefined = firstPart ? await messages.get(tenant, id) : undefined;
    if (message && before.has(message.userId)) {
      say(`PART_ACCEPTED ${message.userId}`);
      return stall();
    }
    const updated = await update(tenant, id, patch);
    if (message && after.has(message.userId)) {
      say(`PART_RECORDED ${message.userId}`);
      return stall();
    }
    return updated;
  };
}

const { url } = await host.listen(0, '127.0.0.1');
say(`LISTENING ${url}`);
process.once('SIGTERM', () => {
  void host.stop().then(() => process.exit(0), (error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exit(1); });
});
