/** Property: the probe's answer reader takes any JSON a platform (or a proxy in front of it) could send without throwing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { readMessengerProbe } from './going-live.js';

const config = parseConfig({ pageAccessToken: 'EAAtoken', appSecret: 'secret', verifyToken: 'verify', pageId: '104112345678901' });

describe('readMessengerProbe', () => {
  it('property: any JSON answers give a probe with a name, never a throw, and no webhook URL (a page token cannot see it)', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (page, apps) => {
      const probe = readMessengerProbe(config, page, apps);
      expect(typeof probe.name).toBe('string');
      expect(probe.webhookUrl).toBeUndefined();
    }));
  });
});
