/**
 * The loaded connector accounts: found by webhook URL (`channel` + account key), listed per tenant,
 * and looked up for a tenant by one rule ({@link ConnectorRegistry.find}) wherever the host needs
 * the connector of a channel account — to send, to read a channel's policy, to fetch a file.
 * @module
 */
import type { ConnectorBinding } from '@switchboard/core';

/** A connector account as the host binds it: core's binding plus its tenant. */
export interface HostConnectorBinding extends ConnectorBinding {
  tenantId: string;
}

/** DI token for {@link ConnectorRegistry}. */
export const ConnectorRegistry = Symbol.for('switchboard.ConnectorRegistry');
/** Looks connector accounts up. */
export interface ConnectorRegistry {
  readonly bindings: readonly HostConnectorBinding[];
  /**
   * The account a webhook URL names (`/webhooks/:channel/:account`); the URL carries no tenant, the
   * binding says whose it is.
   * @param channel - `:channel` of the webhook URL
   * @param account - `:account` of the webhook URL
   * @returns the binding, if configured and loaded
   */
  get(channel: string, account: string): HostConnectorBinding | undefined;
  /**
   * A tenant's connector account on a channel — the one look-up rule of the host, used wherever it
   * needs the connector of a tenant's channel account (to send, to read the channel's policy, to
   * fetch a file):
   * 1. only the tenant's accounts on the channel are candidates (another tenant's never is);
   * 2. `account` is the account's key in the config (`accounts[].id`, the `:account` of its webhook
   *    URL, what outbox entries record) or, failing that, the connector's platform account id
   *    (`connector.accountId`: what addresses and inbound events carry);
   * 3. no `account`: the tenant's only account of the channel (none when it has several);
   * 4. an `account` matching neither: the tenant's only account of the channel, but only when its
   *    connector declares no platform account id — its events carry ids the host cannot check. An
   *    account that declares one is never taken for another id (a send naming an unknown account is
   *    refused, not redirected).
   * @param tenantId - the tenant
   * @param channel - the channel
   * @param account - the account's key or platform id, if named
   * @returns the binding, or undefined when the tenant has no such account (or several and none is named)
   * @example
   * ```ts
   * registry.find('shop', 'whatsapp', '106540352242922'); // by the phone number id
   * registry.find('shop', 'whatsapp', 'main');            // by the config key
   * registry.find('shop', 'whatsapp');                    // the shop's only WhatsApp account
   * ```
   */
  find(tenantId: string, channel: string, account?: string): HostConnectorBinding | undefined;
  /**
   * @param tenantId - a tenant
   * @returns every account of the tenant, in config order
   */
  forTenant(tenantId: string): HostConnectorBinding[];
}

/** The registry of the accounts loaded at start-up. */
export class StaticConnectorRegistry implements ConnectorRegistry {
  private readonly byUrl = new Map<string, HostConnectorBinding>();

  /** @param bindings - every loaded account */
  constructor(readonly bindings: readonly HostConnectorBinding[]) {
    for (const b of bindings) this.byUrl.set(`${b.channel}/${b.account}`, b);
  }

  get(channel: string, account: string): HostConnectorBinding | undefined {
    return this.byUrl.get(`${channel}/${account}`);
  }

  find(tenantId: string, channel: string, account?: string): HostConnectorBinding | undefined {
    const candidates = this.bindings.filter((b) => b.tenantId === tenantId && b.channel === channel);
    const only = candidates.length === 1 ? candidates[0] : undefined;
    if (account === undefined) return only;
    return candidates.find((b) => b.account === account)
      ?? candidates.find((b) => b.connector.accountId === account)
      ?? (only?.connector.accountId === undefined ? only : undefined);
  }

  forTenant(tenantId: string): HostConnectorBinding[] {
    return this.bindings.filter((b) => b.tenantId === tenantId);
  }
}
