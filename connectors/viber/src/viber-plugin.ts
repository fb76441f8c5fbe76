/**
 * The Viber connector plugin: what the host loads.
 * @module
 */
import { Connector, connectorDepsFrom, connectorOptionsToken, type ConnectorDeps, type ConnectorPlugin, type FakePlatformOptions } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { viberCapabilities } from './capabilities.js';
import { parseConfig, type ViberConfig } from './config.js';
import { FakeViberServer } from './fake-viber-server.js';
import { viberPolicy } from './policy.js';
import { ViberConnector } from './viber-connector.js';

/** The Viber REST Bot API plugin. */
export const plugin: ConnectorPlugin<ViberConfig> = {
  apiVersion: 1,
  channel: 'viber',
  displayName: 'Viber',
  policy: viberPolicy,
  capabilities: viberCapabilities,
  // HMAC of the body with the auth token; Viber's own library also accepts it as ?sig=
  credentialHeaders: ['x-viber-content-signature'],
  credentialQuery: ['sig'],
  // customers' files are downloaded from their media URLs; Viber fetches outbound files from a URL the host gives
  media: { download: true, upload: 'url' },
  parseConfig,
  create(config: ViberConfig, deps?: Partial<ConnectorDeps>): ViberConnector {
    return new ViberConnector(config, deps);
  },
  module(config: ViberConfig): ContainerModule {
    return new ContainerModule((options) => {
      options.bind(connectorOptionsToken('viber')).toConstantValue(config);
      options.bind(Connector).toDynamicValue((context) => new ViberConnector(config, connectorDepsFrom(context))).inSingletonScope();
    });
  },
  fake(options?: FakePlatformOptions): FakeViberServer {
    return new FakeViberServer(options);
  },
};
