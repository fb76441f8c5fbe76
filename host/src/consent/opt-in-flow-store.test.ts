/**
 * The opt-in flow store's contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeOptInFlowConformance } from '../__fixtures__/opt-in-flow-conformance.js';

describeOnDrivers('opt-in flow store', describeOptInFlowConformance);
