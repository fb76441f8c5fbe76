/**
 * The media area's bindings: the media store and its URLs (from the media runtime `createHost`
 * opens) and the built-in `media` feature (the media routes, the sweep and the inbound fetcher).
 * @module
 */
import { Clock, Logger } from '@switchboard/core';
import { ContainerModule } from '@switchboard/core/di';
import { hostFeatureModule } from '../features.js';
import { HostTenants } from '../host-options.js';
import { createMediaFeature, MediaRuntime } from '../media/media-feature.js';
import { MediaStore, MediaUrls } from '../media/media-store.js';

/** Binds `MediaStore` and `MediaUrls`, the runtime's. */
export const mediaModule = new ContainerModule(({ bind }) => {
  bind<MediaStore>(MediaStore).toDynamicValue((c) => c.get<MediaRuntime>(MediaRuntime).store).inSingletonScope();
  bind<MediaUrls>(MediaUrls).toDynamicValue((c) => c.get<MediaRuntime>(MediaRuntime).urls).inSingletonScope();
});

/** The built-in `media` feature. */
export const mediaFeatureModule = hostFeatureModule('media', (c) => createMediaFeature(c.get<MediaRuntime>(MediaRuntime), {
  tenants: [...c.get<HostTenants>(HostTenants).keys()], clock: c.get<Clock>(Clock), logger: c.get<Logger>(Logger),
}));
