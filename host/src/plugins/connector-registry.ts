/**
 * The loaded connector accounts, found by webhook URL (`channel` + account key) or by address.
 * @module
 */
import type { Address, ConnectorBinding } from '@switchboard/core';

/** A connector account as the host binds it: core's binding plus its tenant. */
export interface HostConnectorBinding extends ConnectorBinding {
  tenantId: string;
}

/** DI token for {@link ConnectorRegistry}. */
export const ConnectorRegistry = Symbol.for('switchboard.ConnectorRegistry');
/** Looks connector accounts up. */
export interface ConnectorRegistry {
  readonly bindings: readonly HostConnectorBinding[];
  get(channel: string, account: string): HostConnectorBinding | undefined;
  forAddress(tenantId: string, address: Pick<Address, 'channel' | 'accountId'>): HostConnectorBinding | undefined;
  forTenant(tenantId: string): HostConnectorBinding[];
}

/** The registry of the accounts loaded at start-up. */
export class StaticConnectorRegistry implements ConnectorRegistry {
  private readonly byUrl = new Map<string, HostConnectorBinding>();

  /** @param bindings - every loaded account */
  constructor(readonly bindings: readonly HostConnectorBinding[]) {
    for (const b of bindings) this.byUrl.set(`${b.channel}/${b.account}`, b);
  }

  /**
   * @param channel - `:channel` of the webhook URL
   * @param account - `:account` of the webhook URL
   * @returns the binding, if configured and loaded
   */
  get(channel: string, account: string): HostConnectorBinding | undefined {
    return this.byUrl.get(`${channel}/${account}`);
  }

  /**
   * The account that talks to an address: same tenant and channel, and the connector's platform
   * account id (or, failing that, the account key) equal to the address's account id; when a
   * tenant has a single account on the channel, that one.
   * @param tenantId - the tenant
   * @param address - the customer's address
   * @returns the binding, if any
   */
  forAddress(tenantId: string, address: Pick<Address, 'channel' | 'accountId'>): HostConnectorBinding | undefined {
    const candidates = this.bindings.filter((b) => b.tenantId === tenantId && b.channel === address.channel);
    return candidates.find((b) => b.connector.accountId === address.accountId)
      ?? candidates.find((b) => b.account === address.accountId)
      ?? (candidates.length === 1 ? candidates[0] : undefined);
  }

  /**
   * @param tenantId - a tenant
   * @returns its accounts
   */
  forTenant(tenantId: string): HostConnectorBinding[] {
    return this.bindings.filter((b) => b.tenantId === tenantId);
  }
}
