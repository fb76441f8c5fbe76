/**
 * The plugin object the host loads: `apiVersion`, channel, policy, capabilities and factories.
 * @module
 */
import {
  Connector, connectorDepsFrom, connectorOptionsToken,
  type ConnectorDeps, type ConnectorPlugin, type FakePlatformOptions,
} from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { smsCapabilities } from './capabilities.js';
import { parseConfig, type SmsConfig } from './config.js';
import { FakeAcmeSmsServer } from './fake-acme-sms-server.js';
import { smsPolicy } from './policy.js';
import { SmsConnector } from './sms-connector.js';

/** The Acme SMS connector plugin. */
export const plugin: ConnectorPlugin<SmsConfig> = {
  apiVersion: 1,
  channel: 'sms',
  displayName: 'SMS (Acme SMS Gateway)',
  policy: smsPolicy,
  capabilities: smsCapabilities,
  // t=<unix>,v1=<HMAC of the body with the webhook secret>: the host never stores or logs it
  credentialHeaders: ['x-acme-signature'],
  parseConfig,
  create(config: SmsConfig, deps?: Partial<ConnectorDeps>): SmsConnector {
    return new SmsConnector(config, deps);
  },
  module(config: SmsConfig): ContainerModule {
    return new ContainerModule((options) => {
      options.bind(connectorOptionsToken('sms')).toConstantValue(config);
      // the replay window is measured on the host's clock when it binds one (its sandbox may run a
      // manual clock), so the connector is built in the container rather than ahead of it
      options.bind(Connector).toDynamicValue((context) => new SmsConnector(config, connectorDepsFrom(context))).inSingletonScope();
    });
  },
  fake(options?: FakePlatformOptions): FakeAcmeSmsServer {
    return new FakeAcmeSmsServer(options);
  },
};
