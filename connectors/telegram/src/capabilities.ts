/**
 * How the Telegram connector renders each content kind.
 * @module
 */
import type { CapabilityTable } from '@switchboard/core';

/** Telegram's capability table. */
export const telegramCapabilities: CapabilityTable = {
  text: { support: 'native', note: 'sendMessage without parse_mode (plain text, no markup injection); over 4,096 characters split at paragraph, line or sentence boundaries' },
  image: { support: 'native', note: 'sendPhoto by file_id or URL; caption over 1,024 characters continues as text' },
  video: { support: 'native', note: 'sendVideo by file_id or URL' },
  audio: { support: 'native', note: 'sendAudio by file_id or URL (inbound voice notes arrive as audio)' },
  document: { support: 'native', note: 'sendDocument by file_id or URL' },
  sticker: { support: 'native', note: 'sendSticker by file_id or URL; a caption is sent as a following text' },
  location: { support: 'native', note: 'sendLocation; sendVenue when both name and address are given' },
  contacts: { support: 'native', note: 'one sendContact per card (phone required), e-mails and organisation in a vCard' },
  reply: { support: 'degraded', note: 'a choice is something the customer sends; outbound it is sent as its title in text' },
  reaction: { support: 'native', note: 'setMessageReaction with one emoji; an empty emoji removes the reaction' },
  interactive: { support: 'native', note: 'buttons and list rows as an inline keyboard (callback_data ≤ 64 bytes); quick replies as a one-time reply keyboard (answers arrive as text)' },
  template: { support: 'degraded', note: 'no templates on Telegram: fallbackText filled with the body parameters, sent as text' },
  rich: { support: 'degraded', note: 'no rich types: sent as its fallbackText; refused (CONTENT_UNSUPPORTED) without one' },
};
