/**
 * The webhook store's contract on every driver: memory, SQLite, and MongoDB when
 * SWITCHBOARD_MONGODB_URI is set (skipped, saying so, otherwise).
 */
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';
import { describeWebhookStoreConformance } from './__fixtures__/webhook-store-conformance.js';

describeOnDrivers('webhook store', describeWebhookStoreConformance);
