/**
 * How the Messenger connector renders each content kind.
 * @module
 */
import type { CapabilityTable } from '@switchboard/core';

/** Per content kind: native, or degraded with how. */
export const messengerCapabilities: CapabilityTable = {
  text: { support: 'native', note: 'text over 2,000 characters is split into several messages (followUps)' },
  image: { support: 'native', note: 'image attachment by url (is_reusable) or attachment_id; a caption follows as a separate text message' },
  video: { support: 'native', note: 'video attachment by url or attachment_id; a caption follows as a separate text message' },
  audio: { support: 'native', note: 'audio attachment by url or attachment_id' },
  document: { support: 'native', note: 'file attachment by url or attachment_id; filename is not transmitted, a caption follows as text' },
  sticker: { support: 'degraded', note: 'sent as an image attachment of its url (Messenger pages cannot send sticker ids)' },
  location: { support: 'degraded', note: 'a page cannot send a location pin: text with name, address and a map link' },
  contacts: { support: 'degraded', note: 'text with each contact\'s name, phones and e-mails' },
  reply: { support: 'degraded', note: 'the choice\'s title as text' },
  reaction: { support: 'native', note: 'sender_action react / unreact (empty emoji) on the target mid' },
  interactive: {
    support: 'native',
    note: 'quick replies (≤13, titles ≤20) and button template (≤3 postback/web_url buttons, text ≤640) natively; '
      + 'lists become a generic template (≤10 rows) after the body text; more buttons become quick replies, '
      + 'anything beyond the limits a numbered text list',
  },
  template: { support: 'degraded', note: 'sent as text from fallbackText and its parameters (utility message templates are not rendered natively)' },
  rich: {
    support: 'native',
    note: 'carousel natively as generic template (10 cards per message, further cards follow); other kinds degrade to fallbackText or are refused without one',
  },
};
