/**
 * How the WhatsApp connector renders each content kind.
 * @module
 */
import type { CapabilityTable } from '@switchboard/core';

/** Per content kind: native on the Cloud API, degraded (and how), or unsupported. */
export const whatsappCapabilities: CapabilityTable = {
  text: { support: 'native', note: 'type text with preview_url; over 4,096 characters split into several messages' },
  image: { support: 'native', note: 'by media id or link; a caption over 1,024 characters is sent as a following text message' },
  video: { support: 'native', note: 'by media id or link; a caption over 1,024 characters is sent as a following text message' },
  audio: { support: 'native', note: 'by media id or link; audio has no caption on WhatsApp, a caption is sent as a following text message' },
  document: { support: 'native', note: 'by media id or link with caption and filename' },
  sticker: { support: 'native', note: 'by media id or link (WebP); a caption is sent as a following text message' },
  location: 'native',
  contacts: 'native',
  reply: { support: 'degraded', note: 'a choice is an inbound kind; sent outbound as its title in a text message' },
  reaction: 'native',
  interactive: {
    support: 'native',
    note: 'up to 3 reply buttons or quick replies natively; 4 to 10 become a list message; one URL button becomes a cta_url message; '
      + 'lists up to 10 rows; more options, or titles over the limits, are refused with CONTENT_INVALID',
  },
  template: 'native',
  rich: { support: 'degraded', note: 'sent as a text message from fallbackText; refused with CONTENT_UNSUPPORTED when there is none' },
};
