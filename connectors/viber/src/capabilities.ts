/**
 * What the Viber connector renders, per content type.
 * @module
 */
import type { CapabilityTable } from '@switchboard/core';

/** Viber's capability table: see the README for every degradation. */
export const viberCapabilities: CapabilityTable = {
  text: { support: 'native', note: 'text message; longer than 7,000 characters is split at sentence or line boundaries' },
  image: { support: 'native', note: 'picture message; a caption over 120 characters follows as a text message' },
  video: { support: 'native', note: 'video message (needs media.size); without a size it is sent as a URL message' },
  audio: { support: 'degraded', note: 'Viber bots cannot send audio: sent as a file message (URL message without media.size)' },
  document: { support: 'native', note: 'file message (needs media.size); without a size it is sent as a URL message' },
  sticker: { support: 'native', note: 'sticker message for a numeric Viber sticker_id; otherwise sent as a picture' },
  location: { support: 'native', note: 'location message; name and address follow as text' },
  contacts: { support: 'native', note: 'one contact message per card; a card without a phone number is sent as text' },
  reply: { support: 'degraded', note: 'sent as its title' },
  reaction: 'unsupported',
  interactive: { support: 'native', note: 'buttons and quick replies become a keyboard (ActionType reply); a list becomes rich media after the body text' },
  template: { support: 'degraded', note: 'no templates on Viber: the fallback text with parameters filled in' },
  rich: { support: 'native', note: 'carousel → rich_media (min_api_version 2); rich-link → URL message; other kinds → fallbackText' },
};
