/**
 * The `@switchboard/messenger` plugin object.
 * @module
 */
import { Connector, connectorDepsFrom, connectorOptionsToken, type ConnectorPlugin } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { messengerCapabilities } from './capabilities.js';
import { parseConfig, type MessengerConfig } from './config.js';
import { FakeMessengerServer } from './fake-messenger-server.js';
import { MessengerConnector } from './messenger-connector.js';
import { messengerPolicy } from './policy.js';

/** The Messenger Platform connector plugin. */
export const plugin: ConnectorPlugin<MessengerConfig> = {
  apiVersion: 1,
  channel: 'messenger',
  displayName: 'Messenger',
  policy: messengerPolicy,
  capabilities: messengerCapabilities,
  // customer attachments: fetched from their CDN link; outbound files: Meta fetches them from the URL the host gives
  media: { download: true, upload: 'url' },
  // Meta signs each delivery with the app secret (SHA-256, and SHA-1 in the older header); the subscription handshake carries the verify token
  credentialHeaders: ['x-hub-signature-256', 'x-hub-signature'],
  credentialQuery: ['hub.verify_token'],
  parseConfig,
  create: (config, deps) => new MessengerConnector(config, deps),
  module: (config) => new ContainerModule((options) => {
    options.bind(connectorOptionsToken('messenger')).toConstantValue(config);
    options.bind(Connector).toDynamicValue((context) => new MessengerConnector(config, connectorDepsFrom(context))).inSingletonScope();
  }),
  fake: (options) => new FakeMessengerServer(options),
};
