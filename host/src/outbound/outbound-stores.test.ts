/**
 * The outbound stores' contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeOutboundStoreConformance } from '../__fixtures__/outbound-store-conformance.js';

describeOnDrivers('outbound stores', describeOutboundStoreConformance);
