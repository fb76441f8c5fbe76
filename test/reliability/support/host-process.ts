/**
 * A host in a process of its own, for the crash-and-restart tests: the config comes as JSON in
 * `CHILD_HOST_CONFIG`; it prints `LISTENING <url>` once it serves, stops gracefully on SIGTERM
 * (writing the embedded store's snapshot), and with `CHILD_STALL_AFTER_INBOX_WRITE=1` it stalls
 * every webhook right after the inbox write, before the 200, printing `INBOX_WRITTEN` — so the
 * test can kill it exactly there. The stall is this harness wrapping the store, not the host.
 *
 * Run with `node --import tsx` and `TSX_TSCONFIG_PATH=test/reliability/support/tsconfig.child.json`
 * (workspace packages resolve to their sources, as in vitest).
 */
import { silentLogger } from '@switchboard/core';
import { configFromObject, createHost } from '@switchboard/host';

const config = configFromObject(JSON.parse(process.env.CHILD_HOST_CONFIG ?? '{}') as Record<string, unknown>);
const host = await createHost(config, {
  logger: silentLogger,
  processor: { pollMs: 20, retryBaseMs: 20 },
  // short leases: a killed process's work is taken over within seconds (on MongoDB)
  outbound: { dispatcher: { pollMs: 20, leaseMs: 2_000, backoff: { baseMs: 50, maxMs: 200 } } },
});

if (process.env.CHILD_STALL_AFTER_INBOX_WRITE === '1') {
  const inbox = host.stores.inbox;
  const add = inbox.add.bind(inbox);
  inbox.add = async (entries) => {
    const result = await add(entries);
    process.stdout.write(`INBOX_WRITTEN ${result.inserted.length}\n`);
    return new Promise<never>(() => { /* stalls until the process is killed */ });
  };
}

const { url } = await host.listen(0, '127.0.0.1');
process.stdout.write(`LISTENING ${url}\n`);
process.once('SIGTERM', () => {
  void host.stop().then(() => process.exit(0), (error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exit(1); });
});
