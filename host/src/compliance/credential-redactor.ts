/**
 * Which parts of a request carry credentials, and copies of headers, query parameters and URLs
 * with their values replaced. A webhook's proof of origin (Telegram's secret token in clear, an
 * HMAC of the body, a bearer JWT) is never stored, exported or logged: whoever holds it can forge
 * deliveries (a static token) or at least replay them.
 *
 * The names come from two places: each connector plugin's declaration (`credentialHeaders`,
 * `credentialQuery` of the SPI) and the host's defaults below, which also catch names a plugin
 * forgot to declare (anything called a secret, token, signature, password or API key).
 *
 * Dead letters keep a redacted header's name with the value `[redacted]` (rather than dropping
 * it): whoever reads the dead letter can still see that the platform sent its proof, which is what
 * one checks first when a delivery is rejected or misunderstood.
 * @module
 */
import type { ConnectorPlugin } from '@switchboard/core';

/** What a credential's value is replaced by. */
export const REDACTED = '[redacted]';

/** Request headers the host always treats as credentials, whatever the connector declares (lower-case). */
export const DEFAULT_CREDENTIAL_HEADERS: readonly string[] = [
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-access-token', 'x-csrf-token',
  'x-hub-signature', 'x-hub-signature-256', 'x-telegram-bot-api-secret-token', 'x-viber-content-signature', 'x-line-signature',
  'x-twilio-signature', 'x-slack-signature',
];

/** Query parameters the host always treats as credentials (as they appear in the URL, compared case-insensitively). */
export const DEFAULT_CREDENTIAL_QUERY: readonly string[] = [
  'hub.verify_token', 'sig', 'signature', 'token', 'access_token', 'api_key', 'apikey', 'key', 'secret', 'password', 'auth',
];

/**
 * A name that says it holds a credential: a secret, token, signature, password, API key, a
 * decryption key (an Apple attachment's `media.encryption.decryptionKey`), cookie or authorization,
 * in any spelling (`x-acme-signature`, `secretToken`, `api_key`, `X-Api-Key`).
 * Applied to header and query names on top of the lists, and by the logger to every key.
 */
export const CREDENTIAL_NAME = /secret|token|signature|passw(or)?d|api[-_.]?key|(de|en)cryption[-_.]?key|authoriz|cookie|credential/i;

/** A connector's declaration, as the SPI spells it. */
export type CredentialDeclaration = Pick<ConnectorPlugin, 'credentialHeaders' | 'credentialQuery'>;

/**
 * Redacts credentials out of headers, query parameters and URLs, by the host's defaults plus the
 * names connectors declared.
 * @example
 * const redactor = CredentialRedactor.for(telegramPlugin);
 * redactor.headers({ 'x-telegram-bot-api-secret-token': 's3cr3t', 'content-type': 'application/json' });
 * // { 'x-telegram-bot-api-secret-token': '[redacted]', 'content-type': 'application/json' }
 */
export class CredentialRedactor {
  /** The host's defaults alone (data stored before a connector's declaration was known, logs). */
  static readonly defaults = new CredentialRedactor();

  private readonly headerNames: ReadonlySet<string>;
  private readonly queryNames: ReadonlySet<string>;

  /**
   * @param declarations - every connector plugin's declaration to honour besides the defaults
   */
  constructor(declarations: readonly CredentialDeclaration[] = []) {
    this.headerNames = new Set([...DEFAULT_CREDENTIAL_HEADERS, ...declarations.flatMap((d) => d.credentialHeaders ?? [])].map((n) => n.toLowerCase()));
    this.queryNames = new Set([...DEFAULT_CREDENTIAL_QUERY, ...declarations.flatMap((d) => d.credentialQuery ?? [])].map((n) => n.toLowerCase()));
  }

  /**
   * @param plugin - a connector plugin (its declaration is read by shape; a plugin without one gets the defaults)
   * @returns a redactor for that connector's requests
   */
  static for(plugin: CredentialDeclaration | undefined): CredentialRedactor {
    return plugin && (plugin.credentialHeaders?.length || plugin.credentialQuery?.length) ? new CredentialRedactor([plugin]) : CredentialRedactor.defaults;
  }

  /**
   * @param name - a header name
   * @returns whether its value is a credential
   */
  isCredentialHeader(name: string): boolean {
    return this.headerNames.has(name.toLowerCase()) || CREDENTIAL_NAME.test(name);
  }

  /**
   * @param name - a query parameter's name
   * @returns whether its value is a credential
   */
  isCredentialQuery(name: string): boolean {
    return this.queryNames.has(name.toLowerCase()) || CREDENTIAL_NAME.test(name);
  }

  /**
   * @param headers - request headers (any case)
   * @returns a copy with every credential's value replaced by `[redacted]` (names kept)
   */
  headers(headers: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) out[name] = this.isCredentialHeader(name) ? REDACTED : value;
    return out;
  }

  /**
   * @param query - query parameters
   * @returns a copy with every credential's value replaced by `[redacted]` (names kept)
   */
  query(query: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(query)) out[name] = this.isCredentialQuery(name) ? REDACTED : value;
    return out;
  }

  /**
   * Redacts the credential query parameters of a URL or a path with a query; anything else is returned as is.
   * @param url - an absolute URL or a request target (`/webhooks/whatsapp/main?hub.verify_token=…`)
   * @returns the same text with credential values replaced by `[redacted]`
   */
  url(url: string): string {
    const at = url.indexOf('?');
    if (at < 0) return url;
    const hash = url.indexOf('#', at);
    const query = url.slice(at + 1, hash < 0 ? undefined : hash);
    const redacted = query.split('&').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name: string;
      try { name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' ')); } catch { name = pair.slice(0, eq); }
      return this.isCredentialQuery(name) ? `${pair.slice(0, eq)}=${encodeURIComponent(REDACTED)}` : pair;
    }).join('&');
    return `${url.slice(0, at + 1)}${redacted}${hash < 0 ? '' : url.slice(hash)}`;
  }
}

/**
 * A copy of stored data with the decryption keys of media replaced by {@link REDACTED}: a media's
 * `encryption.decryptionKey`, and the `key` of a platform's encrypted-file descriptor as received
 * (an object with `owner` and `key`: Apple's attachment and interactive-data reference). Used for
 * data that leaves the host (a contact's export): the key opens the customer's file to whoever holds
 * it together with the storage's URL, and is of no use to the customer (the download needs the
 * business's platform credentials). Dates and Buffers are kept as they are.
 * @param value - messages, inbox entries, decoded webhook bodies…
 * @returns the copy (the same value when it holds no object)
 */
export function withoutDecryptionKeys<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || value instanceof Date || Buffer.isBuffer(value) || depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => withoutDecryptionKeys(v, depth + 1)) as T;
  const source = value as Record<string, unknown>;
  const descriptor = typeof source.owner === 'string' && typeof source.key === 'string';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(source)) {
    if ((k === 'decryptionKey' && typeof v === 'string') || (descriptor && k === 'key')) out[k] = REDACTED;
    else out[k] = withoutDecryptionKeys(v, depth + 1);
  }
  return out as T;
}
