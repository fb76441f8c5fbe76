/**
 * The Telegram connector plugin: what the host loads.
 * @module
 */
import { Connector, connectorDepsFrom, connectorOptionsToken } from '@switchboard/core';
import type { ConnectorDeps, ConnectorPlugin, FakePlatformOptions } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { telegramCapabilities } from './capabilities.js';
import { parseConfig, type TelegramConfig } from './config.js';
import { FakeTelegramServer } from './fake-telegram-server.js';
import { telegramPolicy } from './policy.js';
import { TelegramConnector } from './telegram-connector.js';

/** The Telegram Bot API connector plugin. */
export const plugin = {
  apiVersion: 1,
  channel: 'telegram',
  displayName: 'Telegram',
  policy: telegramPolicy,
  capabilities: telegramCapabilities,
  // the secret token itself, in clear, on every update: whoever holds it can forge updates
  credentialHeaders: ['x-telegram-bot-api-secret-token'],
  // downloads through getFile; uploads as multipart/form-data, reused afterwards by file_id
  media: { download: true, upload: 'bytes' },
  parseConfig,
  /**
   * @param config - a parsed config
   * @param deps - fetch, clock, logger
   * @returns a connector for the configured bot
   */
  create(config: TelegramConfig, deps?: Partial<ConnectorDeps>): TelegramConnector {
    return new TelegramConnector(config, deps);
  },
  /**
   * Binds the options token to the config and adds the connector to the multi-bound `Connector` token.
   * @param config - a parsed config
   * @returns the container module
   */
  module(config: TelegramConfig): ContainerModule {
    return new ContainerModule((options) => {
      options.bind(connectorOptionsToken('telegram')).toConstantValue(config);
      options.bind<Connector>(Connector).toDynamicValue((context) => new TelegramConnector(config, connectorDepsFrom(context))).inSingletonScope();
    });
  },
  /**
   * @param options - port, latency, config overrides (plus limits and clock, see FakeTelegramOptions)
   * @returns a fake Bot API server
   */
  fake(options?: FakePlatformOptions): FakeTelegramServer {
    return new FakeTelegramServer(options);
  },
} satisfies ConnectorPlugin<TelegramConfig>;
