import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { compileProxyTrust, requestOrigin, trustEntryProblem, TRUST_NO_PROXY } from './trusted-proxy.js';

function req(remoteAddress: string, headers: Record<string, string> = {}, encrypted = false): IncomingMessage {
  return { socket: { remoteAddress, ...(encrypted ? { encrypted } : {}) }, headers } as unknown as IncomingMessage;
}

describe('trusted proxies', () => {
  it('match addresses, CIDR ranges and named ranges, IPv4 also as IPv4-mapped IPv6', () => {
    const trust = compileProxyTrust(['loopback', '10.1.0.0/16', '2001:db8::7']);
    expect(trust('127.0.0.1')).toBe(true);
    expect(trust('::1')).toBe(true);
    expect(trust('::ffff:10.1.200.3')).toBe(true);
    expect(trust('10.2.0.1')).toBe(false);
    expect(trust('2001:db8::7')).toBe(true);
    expect(trust('2001:db8::8')).toBe(false);
    expect(trust('not an address')).toBe(false);
    expect(compileProxyTrust([])('127.0.0.1')).toBe(false);
  });

  it('refuse entries that are not addresses', () => {
    expect(trustEntryProblem('10.0.0.0/8')).toBeUndefined();
    expect(trustEntryProblem('uniquelocal')).toBeUndefined();
    expect(trustEntryProblem('10.0.0.0/33')).toMatch(/prefix/);
    expect(trustEntryProblem('proxy.example.com')).toMatch(/not an IP address/);
    expect(trustEntryProblem('')).toMatch(/must be/);
    expect(() => compileProxyTrust(['everyone'])).toThrow(/trustProxy/);
  });

  it('believe X-Forwarded-Proto and -For from a trusted peer only', () => {
    const trust = compileProxyTrust(['10.0.0.1']);
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9, 10.0.0.1' };
    expect(requestOrigin(req('10.0.0.1', forwarded), trust)).toEqual({ address: '203.0.113.9', secure: true });
    expect(requestOrigin(req('198.51.100.4', forwarded), trust)).toEqual({ address: '198.51.100.4', secure: false });
    expect(requestOrigin(req('10.0.0.1', forwarded), TRUST_NO_PROXY)).toEqual({ address: '10.0.0.1', secure: false });
    expect(requestOrigin(req('10.0.0.1', { 'x-forwarded-proto': 'http' }), trust)).toEqual({ address: '10.0.0.1', secure: false });
  });

  it('walk X-Forwarded-For from the nearest hop and stop at the first untrusted one (a client cannot prepend its way in)', () => {
    const trust = compileProxyTrust(['10.0.0.0/8']);
    // the client wrote "1.2.3.4" itself; 203.0.113.9 is what the trusted proxy saw
    expect(requestOrigin(req('10.0.0.1', { 'x-forwarded-for': '1.2.3.4, 203.0.113.9, 10.0.0.2' }), trust).address).toBe('203.0.113.9');
    expect(requestOrigin(req('10.0.0.1', { 'x-forwarded-for': 'garbage, 10.0.0.2' }), trust).address).toBe('10.0.0.2');
  });

  it('call a TLS socket secure without any proxy', () => {
    expect(requestOrigin(req('198.51.100.4', {}, true), TRUST_NO_PROXY).secure).toBe(true);
  });
});
