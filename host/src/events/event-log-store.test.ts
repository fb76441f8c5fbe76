/**
 * The event log store's contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeEventLogConformance } from '../__fixtures__/event-log-conformance.js';

describeOnDrivers('event log store', describeEventLogConformance);
