/**
 * What the Acme SMS connector renders, per content type.
 * @module
 */
import type { CapabilityTable } from '@switchboard/core';

/** SMS carries text only: everything else is degraded to text or refused. */
export const smsCapabilities: CapabilityTable = {
  text: { support: 'native', note: 'one request; the gateway concatenates up to 1,600 characters into segments; longer is refused (CONTENT_INVALID)' },
  image: { support: 'unsupported', note: 'no MMS on the Acme gateway' },
  video: { support: 'unsupported', note: 'no MMS on the Acme gateway' },
  audio: { support: 'unsupported', note: 'no MMS on the Acme gateway' },
  document: { support: 'unsupported', note: 'no MMS on the Acme gateway' },
  sticker: { support: 'unsupported', note: 'no MMS on the Acme gateway' },
  location: { support: 'degraded', note: 'name, address and a https://maps.google.com/?q=lat,lng link as text' },
  contacts: { support: 'degraded', note: 'one line per card: name, phone numbers and e-mail addresses' },
  reply: { support: 'degraded', note: 'sent as its title' },
  reaction: { support: 'unsupported', note: 'SMS has no reactions' },
  interactive: { support: 'degraded', note: 'body, then the options as a numbered list and "Reply with the number of your choice."; replies arrive as plain text' },
  template: { support: 'degraded', note: 'SMS has no templates: the fallback text with parameters filled in' },
  rich: { support: 'degraded', note: 'fallbackText only; rich content without one is refused (CONTENT_UNSUPPORTED)' },
};
