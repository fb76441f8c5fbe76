/**
 * How the Apple connector renders each content kind.
 * @module
 */
import type { CapabilityTable } from '@switchboard/core';

/**
 * Capability table. Interactive messages are native only on devices whose `capability-list`
 * carries the matching token (QUICK, LIST, TIME, AUTH/AUTH2, FORM); elsewhere they degrade to text.
 */
export const appleCapabilities: CapabilityTable = {
  text: { support: 'native', note: 'type "text"; longer than 3000 characters is split into several messages' },
  image: { support: 'native', note: 'encrypted (AES-256-CTR) attachment uploaded through preUpload + MMCS upload' },
  video: { support: 'native', note: 'encrypted attachment' },
  audio: { support: 'native', note: 'encrypted attachment (voice notes are audio/x-caf)' },
  document: { support: 'native', note: 'encrypted attachment (pdf, pkpass, ics, usdz…)' },
  sticker: { support: 'degraded', note: 'sent as an image attachment' },
  location: { support: 'degraded', note: 'text with an Apple Maps link' },
  contacts: { support: 'degraded', note: 'text: name and phone numbers' },
  reply: { support: 'degraded', note: 'the choice title as text' },
  reaction: { support: 'unsupported', note: 'businesses cannot send tapbacks' },
  interactive: { support: 'native', note: 'quick reply (2-5 options, QUICK) or list picker (LIST); numbered text list when the device lacks the capability' },
  template: { support: 'degraded', note: 'Apple has no templates: the filled fallbackText is sent as text' },
  rich: { support: 'native', note: 'list-picker (LIST), time-picker (TIME), auth (AUTH/AUTH2), form (FORM) when the device supports them, else text; payment (Apple Pay) and rich-link on every device; carousel as text' },
};
