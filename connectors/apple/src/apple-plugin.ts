/**
 * The `@switchboard/apple` plugin object.
 * @module
 */
import { Connector, connectorDepsFrom, connectorOptionsToken, type ConnectorPlugin } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { AppleConnector } from './apple-connector.js';
import { appleCapabilities } from './capabilities.js';
import { parseConfig, type AppleConfig } from './config.js';
import { FakeAppleServer } from './fake-apple-server.js';
import { applePolicy } from './policy.js';

/** The Apple Messages for Business connector plugin. */
export const applePlugin: ConnectorPlugin<AppleConfig> = {
  apiVersion: 1,
  channel: 'apple',
  displayName: 'Apple Messages for Business',
  policy: applePolicy,
  capabilities: appleCapabilities,
  // a bearer JWT signed with the MSP secret
  credentialHeaders: ['authorization'],
  // customer files: preDownload, MMCS download, AES-256-CTR decryption; outbound files: encrypted and uploaded (preUpload, MMCS upload)
  media: { download: true, upload: 'bytes' },
  parseConfig,
  create: (config, deps) => new AppleConnector(config, deps),
  module: (config) => new ContainerModule((options) => {
    options.bind(connectorOptionsToken('apple')).toConstantValue(config);
    options.bind(Connector).toDynamicValue((context) => new AppleConnector(config, connectorDepsFrom(context))).inSingletonScope();
  }),
  fake: (options) => new FakeAppleServer(options),
};
