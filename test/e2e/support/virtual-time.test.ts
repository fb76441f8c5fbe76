import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualTime } from './virtual-time.js';

describe('VirtualTime', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    // a platform that takes a while (in wall time) to answer
    server = createServer((_req, res) => { setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 50); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((resolve) => server.close(resolve)); });

  it('stands still while a platform call is in flight, however long it takes in wall time, and stamps it with platform time', async () => {
    const time = new VirtualTime(1_000);
    const fetch = time.fetch();
    const woke: number[] = [];
    void time.sleep(10).then(() => woke.push(time.now()));
    const answer = fetch(`${url}/send`, { method: 'POST', body: '{}' });
    await time.runUntil(() => woke.length === 1);
    // the sleeper was not woken before the call had its answer
    expect(await (await answer).json()).toEqual({ ok: true });
    expect(woke).toEqual([1_010]);
    expect(time.calls).toEqual([{ method: 'POST', url: `${url}/send`, at: 1_000 }]);
  });

  it('wakes sleepers at their time, earliest first, and jumps to other due times', async () => {
    const time = new VirtualTime(0);
    const order: string[] = [];
    void time.sleep(30).then(() => order.push(`b@${time.now()}`));
    void time.sleep(10).then(() => order.push(`a@${time.now()}`));
    await time.runUntil(() => time.now() >= 50, { due: () => 50 });
    expect(order).toEqual(['a@10', 'b@30']);
    expect(time.now()).toBe(50);
  });

  it('fails at once when nothing is due and the condition does not hold (stuck, not slow)', async () => {
    const time = new VirtualTime(0);
    await expect(time.runUntil(() => false)).rejects.toThrow(/nothing is due/);
  });
});
