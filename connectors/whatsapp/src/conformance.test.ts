import { createHmac } from 'node:crypto';
import { describeConnectorConformance } from '@switchboard/testkit';
import { errorSamples } from './__fixtures__/errors.js';
import { PHONE_NUMBER_ID, WA_ID, inbound } from './__fixtures__/inbound.js';
import plugin from './index.js';

const APP_SECRET = 'conformance-app-secret';

describeConnectorConformance(plugin, {
  config: { accessToken: 'EAAconformance', appSecret: APP_SECRET, verifyToken: 'conformance-verify', phoneNumberId: PHONE_NUMBER_ID },
  sign: (body, variant) => ({
    'x-hub-signature-256': `sha256=${createHmac('sha256', variant === 'valid' ? APP_SECRET : 'another-app-secret!!!').update(body).digest('hex')}`,
  }),
  signatureHeader: 'x-hub-signature-256',
  handshake: {
    valid: { query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'conformance-verify', 'hub.challenge': '1158201444' }, expectedBody: '1158201444' },
    invalid: { query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1158201444' } },
  },
  inbound,
  address: { channel: 'whatsapp', accountId: PHONE_NUMBER_ID, userId: WA_ID },
  errors: errorSamples,
});
