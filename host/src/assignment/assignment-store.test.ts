/**
 * The assignment store's contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeAssignmentStoreConformance } from '../__fixtures__/assignment-store-conformance.js';

describeOnDrivers('assignment store', describeAssignmentStoreConformance);
