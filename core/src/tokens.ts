/**
 * DI tokens shared by connectors and the host. A token has the name of its interface.
 * @module
 */
import type { Connector, ConnectorDeps, ConnectorPlugin } from './spi.js';
import { Clock as ClockToken, type Clock } from './clock.js';
import { Logger as LoggerToken, type Logger } from './logger.js';
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

/**
 * The `fetch` connectors call their platforms with, when the host binds one (a proxy, tracing, a
 * shorter timeout); without it connectors use the global `fetch`.
 */
export const PlatformFetch = Symbol.for('switchboard.PlatformFetch');

/** The part of a DI resolution context {@link connectorDepsFrom} reads. */
export interface OptionalResolver {
  get<T>(serviceIdentifier: symbol, options: { optional: true }): T | undefined;
}

/**
 * The host's services for a connector built inside its container: the host's clock (its sandbox
 * may run a clock moved ahead), logger and platform fetch, when bound. A plugin's `module(config)` builds its
 * connector with `toDynamicValue((context) => new MyConnector(config, connectorDepsFrom(context)))`.
 * @param context - the resolution context `toDynamicValue` is given
 * @returns the deps that are bound (none when loaded into an empty container)
 */
export function connectorDepsFrom(context: OptionalResolver): Partial<Pick<ConnectorDeps, 'clock' | 'logger' | 'fetch'>> {
  const clock = context.get<Clock>(ClockToken, { optional: true });
  const logger = context.get<Logger>(LoggerToken, { optional: true });
  const fetch = context.get<typeof globalThis.fetch>(PlatformFetch, { optional: true });
  return { ...(clock ? { clock } : {}), ...(logger ? { logger } : {}), ...(fetch ? { fetch } : {}) };
}
