/**
 * The contact operations' contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeContactStoreConformance } from '../__fixtures__/contact-store-conformance.js';

describeOnDrivers('contact operations', describeContactStoreConformance);
