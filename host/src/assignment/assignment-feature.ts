/**
 * The `assignment` feature: binds the {@link AssignmentService}, mounts its `/v1` routes, follows
 * the streams once the host listens, and checks presences and SLA timers against the host's clock
 * every `checkEveryMs` of real time (the check itself reads only the injected clock).
 * @module
 */
import type { Logger } from '@switchboard/core';
import type { HostFeature } from '../features.js';
import { mountAssignmentRoutes } from './assignment-routes.js';
import type { AssignmentServiceImpl } from './assignment-service.js';

/** How often, in real time, presences and timers are checked against the host's clock. */
export const ASSIGNMENT_CHECK_EVERY_MS = 5_000;

/**
 * Builds the feature around the service.
 * @param service - the assignment service
 * @param logger - where a failed check is told
 * @param checkEveryMs - the real-time period of {@link AssignmentServiceImpl.tick}
 * @returns the feature
 */
export function assignmentFeature(service: AssignmentServiceImpl, logger: Logger, checkEveryMs = ASSIGNMENT_CHECK_EVERY_MS): HostFeature {
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    name: 'assignment',
    v1Routes(v1) { mountAssignmentRoutes(v1, service); },
    start() {
      service.start();
      timer = setInterval(() => { service.tick().catch((error: unknown) => logger.error({ err: error }, 'assignment check failed')); }, checkEveryMs);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await service.stop();
    },
  };
}
