/**
 * The console agent store's contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeAgentStoreConformance } from '../__fixtures__/agent-store-conformance.js';

describeOnDrivers('console agent store', describeAgentStoreConformance);
