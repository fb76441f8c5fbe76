/**
 * The compliance area's contribution: the built-in `compliance` feature (GDPR export and erasure,
 * retention, the audit log), its pseudonym salt from the config.
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { complianceFeatureOf } from '../compliance/compliance-feature.js';
import { ContactDataHandler } from '../compliance/contact-data.js';
import { HostConfig } from '../config/host-config.js';
import { hostFeatureModule } from '../features.js';
import { HostTenants } from '../host-options.js';
import { MediaStore } from '../media/media-store.js';
import { OutboundRuntime } from '../outbound/outbound-runtime.js';
import { ConnectorRegistry } from '../plugins/connector-registry.js';
import { HostStores } from '../stores/stores.js';

/** The built-in `compliance` feature; other stores take part in export and erasure through `ContactDataHandler` bindings. */
export const complianceFeatureModule = hostFeatureModule('compliance', (c) => {
  const { pseudonymSalt } = c.get<HostConfig>(HostConfig);
  return complianceFeatureOf({
    stores: c.get<HostStores>(HostStores), tenants: c.get<HostTenants>(HostTenants), registry: c.get<ConnectorRegistry>(ConnectorRegistry),
    clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger), media: c.get<MediaStore>(MediaStore), uploadedMedia: c.get(OutboundRuntime).uploadedMedia,
    handlers: () => c.getAll<ContactDataHandler>(ContactDataHandler, { optional: true }),
  }, pseudonymSalt ? { pseudonymSalt } : {});
});
