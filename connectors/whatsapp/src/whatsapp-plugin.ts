/**
 * The WhatsApp connector plugin: what the host loads.
 * @module
 */
import { ContainerModule } from '@switchboard/core/di';
import { Connector, connectorDepsFrom, connectorOptionsToken, type ConnectorDeps, type ConnectorPlugin, type FakePlatformOptions } from '@switchboard/core';
import { whatsappCapabilities } from './capabilities.js';
import { parseConfig, type WhatsAppConfig } from './config.js';
import { FakeWhatsAppServer } from './fake-whatsapp-server.js';
import { whatsappPolicy } from './policy.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

/** The WhatsApp Business Platform (Cloud API) plugin. */
export const plugin: ConnectorPlugin<WhatsAppConfig> = {
  apiVersion: 1,
  channel: 'whatsapp',
  displayName: 'WhatsApp Business Platform (Cloud API)',
  policy: whatsappPolicy,
  capabilities: whatsappCapabilities,
  // customer media: media id → URL → bytes with the access token; outbound files: uploaded to Graph, sent by media id
  media: { download: true, upload: 'bytes' },
  // Meta signs each delivery with the app secret (SHA-256, and SHA-1 in the older header); the subscription handshake carries the verify token
  credentialHeaders: ['x-hub-signature-256', 'x-hub-signature'],
  credentialQuery: ['hub.verify_token'],
  parseConfig,
  create(config: WhatsAppConfig, deps?: Partial<ConnectorDeps>): WhatsAppConnector {
    return new WhatsAppConnector(config, deps);
  },
  module(config: WhatsAppConfig): ContainerModule {
    return new ContainerModule((options) => {
      options.bind(connectorOptionsToken('whatsapp')).toConstantValue(config);
      options.bind(Connector).toDynamicValue((context) => new WhatsAppConnector(config, connectorDepsFrom(context))).inSingletonScope();
    });
  },
  fake(options?: FakePlatformOptions): FakeWhatsAppServer {
    return new FakeWhatsAppServer(options);
  },
};
