import { afterEach, expect, it, vi } from 'vitest';

afterEach(() => { vi.restoreAllMocks(); });

it('npm start (src/demo.ts) sends through the fake gateway and prints the request, the webhook and the parsed events', async () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args.map(String).join(' ')); });
  await import('./demo.js');
  const out = lines.join('\n');
  expect(out).toContain('request the gateway received');
  expect(out).toContain('"path": "/v2/messages"');
  expect(out).toContain('"client_ref": "demo-1"');
  expect(out).toMatch(/"x-acme-signature": "t=\d+,v1=[0-9a-f]{64}"/);
  expect(out).toContain('"kind": "message"');
  expect(out).toContain('"status": "delivered"');
  // the API key is shortened, never printed whole
  expect(out).not.toContain('acme_test_sk_5b1f0c9e2d4a4e7f9a3c');
});
