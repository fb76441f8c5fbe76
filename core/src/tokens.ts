/**
 * DI tokens shared by connectors and the host. A token has the name of its interface.
 * @module
 */
import type { Connector, ConnectorPlugin } from './spi.js';
/**
 * A connector bound with its account, so the host can find the connector for
 * `/webhooks/:channel/:account`.
 */
export interface ConnectorBinding {
  channel: string;
  /** The account key in the webhook URL. */
  account: string;
  connector: Connector;
  plugin: ConnectorPlugin;
}
/** Multi-bound: {@link ConnectorBinding} per configured account. */
export const ConnectorBinding = Symbol.for('switchboard.ConnectorBinding');

/**
 * The options token of a connector package: `Symbol.for('switchboard.<channel>.options')`.
 * @param channel - the channel id
 * @returns the token the package binds its parsed config to
 */
export function connectorOptionsToken(channel: string): symbol {
  return Symbol.for(`switchboard.${channel}.options`);
}
