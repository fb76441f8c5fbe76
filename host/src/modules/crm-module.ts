/**
 * The CRM area's bindings: the contact-context service over the config's `contactContext`
 * provider (a function, or an HTTPS endpoint called with `HostOptions.fetch`), cut at the stop
 * deadline like platform calls.
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { HostConfig } from '../config/host-config.js';
import { CachedContactContextService, ContactContextService } from '../crm/contact-context-service.js';
import { httpsContextProvider } from '../crm/https-context-provider.js';
import { HostOptions } from '../host-options.js';
import { PlatformCalls } from '../platform-calls.js';

/** Binds `ContactContextService` (answering `not-configured` when the config has no `contactContext`). */
export const crmModule = new ContainerModule(({ bind }) => {
  bind<ContactContextService>(ContactContextService).toDynamicValue((c) => {
    const config = c.get<HostConfig>(HostConfig).contactContext;
    const clock = c.get<Clock>(Clock);
    const options = c.get<HostOptions>(HostOptions);
    const provider = config?.provider ?? (config?.endpoint ? httpsContextProvider(config.endpoint, { clock, ...(options.fetch ? { fetch: options.fetch } : {}) }) : undefined);
    return new CachedContactContextService(provider, { clock, logger: c.get<Logger>(Logger), signal: c.get<PlatformCalls>(PlatformCalls).signal }, {
      ...(config ? { ttlMs: config.ttlMs, failureTtlMs: config.failureTtlMs } : {}),
    });
  }).inSingletonScope();
});
