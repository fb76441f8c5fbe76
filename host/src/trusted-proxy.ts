/**
 * Which reverse proxies the host believes: `server.trustProxy` lists their addresses (single
 * addresses, CIDR ranges, or the named ranges `loopback`, `linklocal`, `uniquelocal`, as Express's
 * `trust proxy` accepts them). Only a request whose socket peer is one of them may tell the host
 * the client's address (`X-Forwarded-For`) and scheme (`X-Forwarded-Proto`); from anyone else
 * those headers are ignored, since any client can send them.
 * @module
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** Named ranges a trust list may use. */
export const NAMED_PROXY_RANGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
});

/** Entries a trust list holds at most (a list is written by hand; this bounds the config). */
export const MAX_TRUSTED_PROXIES = 64;
/** `X-Forwarded-For` hops looked at at most (the walk stops there: the rest is the client's say). */
const MAX_HOPS = 16;

/** Whether a socket peer is a trusted proxy. */
export type ProxyTrust = (address: string) => boolean;

/** Trusts nobody: forwarding headers are always ignored. */
export const TRUST_NO_PROXY: ProxyTrust = () => false;

/** An IPv4 address carried as IPv6 (`::ffff:10.0.0.1`) is matched as IPv4. */
function plainAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  if (lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4) return lower.slice(7);
  return lower;
}

/**
 * Checks one trust entry.
 * @param entry - an address, a CIDR range or a named range
 * @returns what is wrong with it, or undefined when it is usable
 */
export function trustEntryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'string' || entry.trim() === '') return 'must be an IP address, a CIDR range, or one of loopback, linklocal, uniquelocal';
  if (entry in NAMED_PROXY_RANGES) return undefined;
  const [address, bits, extra] = entry.split('/');
  const family = isIP(plainAddress(address ?? ''));
  if (family === 0 || extra !== undefined) return `${JSON.stringify(entry.slice(0, 64))} is not an IP address, a CIDR range, or one of loopback, linklocal, uniquelocal`;
  if (bits === undefined) return undefined;
  const n = Number(bits);
  if (!/^\d{1,3}$/.test(bits) || n > (family === 4 ? 32 : 128)) return `${JSON.stringify(entry.slice(0, 64))} has an invalid prefix length`;
  return undefined;
}

/**
 * Compiles a trust list.
 * @param entries - addresses, CIDR ranges and named ranges (each checked with {@link trustEntryProblem})
 * @returns the predicate; an empty list trusts nobody
 * @throws Error naming the first unusable entry (the config validates them first)
 */
export function compileProxyTrust(entries: readonly string[]): ProxyTrust {
  if (entries.length === 0) return TRUST_NO_PROXY;
  const list = new BlockList();
  const add = (entry: string): void => {
    const [address, bits] = entry.split('/');
    const plain = plainAddress(address!);
    const family = isIP(plain) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(plain, family);
    else list.addSubnet(plain, Number(bits), family);
  };
  for (const entry of entries) {
    const problem = trustEntryProblem(entry);
    if (problem) throw new Error(`trustProxy: ${problem}`);
    for (const e of NAMED_PROXY_RANGES[entry] ?? [entry]) add(e);
  }
  return (address) => {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** What the host believes about where a request came from. */
export interface RequestOrigin {
  /** The client's address: the socket peer, or the first untrusted hop of `X-Forwarded-For` behind trusted proxies. */
  address: string;
  /** Whether the client reached us over HTTPS: a TLS socket, or a trusted proxy saying `X-Forwarded-Proto: https`. */
  secure: boolean;
}

function headerValue(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join(',') : v ?? '';
}

/**
 * Works out a request's client address and scheme. The `X-Forwarded-For` list is walked from the
 * right (the hop nearest to us) while each hop is trusted, as Express does; `X-Forwarded-Proto`
 * counts only when the socket peer is trusted, and its first value is taken (the scheme the
 * outermost proxy saw).
 * @param req - the request
 * @param trust - the compiled trust list
 * @returns the origin
 */
export function requestOrigin(req: IncomingMessage, trust: ProxyTrust): RequestOrigin {
  const peer = req.socket.remoteAddress ?? 'unknown';
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  if (!trust(peer)) return { address: peer, secure: tls };
  const proto = headerValue(req.headers['x-forwarded-proto']).split(',')[0]!.trim().toLowerCase();
  const hops = headerValue(req.headers['x-forwarded-for']).split(',').map((h) => h.trim()).filter((h) => h !== '').reverse().slice(0, MAX_HOPS);
  let address = peer;
  for (const hop of hops) {
    if (isIP(plainAddress(hop)) === 0) break;
    address = hop;
    if (!trust(hop)) break;
  }
  return { address, secure: tls || proto === 'https' };
}
