/** Property: the probe's answer readers take any JSON a platform (or a proxy in front of it) could send without throwing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { readWhatsAppProbe } from './going-live.js';

const config = parseConfig({ accessToken: 'EAAtoken', appSecret: 'secret', verifyToken: 'verify', phoneNumberId: '106540352242922', businessAccountId: '102290129340398' });

describe('readWhatsAppProbe', () => {
  it('property: any JSON answers give a probe with a name and string details, never a throw', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.jsonValue(), (phone, apps) => {
      const probe = readWhatsAppProbe(config, phone, apps);
      expect(typeof probe.name).toBe('string');
      for (const v of Object.values(probe.details ?? {})) expect(typeof v).toBe('string');
      if (probe.webhookUrl !== undefined) expect(probe.webhookUrl).not.toBe('');
    }));
  });
});
