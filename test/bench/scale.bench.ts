/**
 * Scale benchmark: memory per stored conversation (with its contact and one message) in the
 * embedded store, measured as heap growth after a full GC, at 100,000 conversations (20,000 with
 * --quick). Ingest throughput at a small and a large store is measured by ingest.bench.ts.
 *
 * Usage: node --expose-gc --import tsx test/bench/scale.bench.ts [--quick]
 */
import { MemoryStores } from '@switchboard/host';
import { QUICK, printGrid, writeResult } from './bench-util.js';

const N = QUICK ? 20_000 : 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
const heap = (): number => { gc(); gc(); return process.memoryUsage().heapUsed; };

async function fill(stores: MemoryStores, n: number, at: Date): Promise<void> {
  for (let i = 0; i < n; i++) {
  const address = { channel: 'whatsapp', accountId: '106540352242922', userId: `4915${String(i).padStart(9, '0')}` };
  const { contact } = await stores.contacts.findOrCreateByAddress('bench', address, () => ({ id: `k${i}`, tenantId: 'bench', addresses: [address], profile: { name: `Customer ${i}` }, createdAt: at, updatedAt: at }));
  const { conversation } = await stores.conversations.findOrCreate('bench', address, () => ({ id: `c${i}`, tenantId: 'bench', contactId: contact.id, address, status: 'open', assignee: { kind: 'none' }, tags: [], createdAt: at, updatedAt: at }));
  await stores.conversations.recordInbound('bench', conversation.id, at);
  await stores.messages.insert({
    id: `m${i}`, tenantId: 'bench', conversationId: conversation.id, channel: 'whatsapp', accountId: address.accountId, userId: address.userId, direction: 'inbound',
    externalId: `wamid.HBgLNDkxNTEyMzQ1Njc4FQIAEhggQ0E${i}`, content: { type: 'text', text: 'Hello, is my car ready for collection?' }, status: 'delivered', timestamp: at, createdAt: at, updatedAt: at,
  });
  }
}

const at = new Date();
// warm-up: compile every path once in a throwaway store, so the measurement holds data only
await fill(new MemoryStores(), 2_000, at);
const stores = new MemoryStores();
const before = heap();
await fill(stores, N, at);
const afterAll = heap();
// a second batch of messages alone, to separate the message's share from the conversation's
for (let i = 0; i < N; i++) {
  await stores.messages.insert({
    id: `n${i}`, tenantId: 'bench', conversationId: `c${i}`, channel: 'whatsapp', accountId: '106540352242922', userId: `4915${String(i).padStart(9, '0')}`, direction: 'outbound',
    externalId: `wamid.HBgLNDkxNTEyMzQ1Njc4FQIAERgSOUE${i}`, content: { type: 'text', text: 'Your vehicle is being cleaned and will be ready shortly.' }, status: 'sent', timestamp: at, createdAt: at, updatedAt: at,
  });
}
const afterMessages = heap();
// keep the store reachable until here, or the collector frees it before the last measurement
if (!(await stores.messages.get('bench', 'm0')) || !(await stores.messages.get('bench', `n${N - 1}`))) throw new Error('the store lost messages');
const perConversation = (afterAll - before) / N;
const perMessage = (afterMessages - afterAll) / N;
printGrid(`scale: embedded store at ${N.toLocaleString('en-US')} conversations`, ['measure', 'bytes'], [
  ['conversation + contact + one message', Math.round(perConversation)],
  ['one more message', Math.round(perMessage)],
  ['conversation + contact alone (difference)', Math.round(perConversation - perMessage)],
  [`heap for ${N.toLocaleString('en-US')} conversations with 2 messages each (MB)`, Math.round((afterMessages - before) / 1024 / 1024)],
]);
console.log('wrote', writeResult('scale', { conversations: N, bytesPerConversationWithMessage: perConversation, bytesPerMessage: perMessage }));
