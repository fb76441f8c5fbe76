import { describeApiKeyStoreConformance } from '../__fixtures__/api-key-store-conformance.js';
import { describeOnDrivers } from '../__fixtures__/drivers-under-test.js';

describeOnDrivers('API key store', describeApiKeyStoreConformance);
