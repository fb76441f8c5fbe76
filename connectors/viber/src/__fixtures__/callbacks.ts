/**
 * Viber callbacks shaped like the samples of the REST Bot API reference
 * (developers.viber.com/docs/api/rest-bot-api/#callbacks, creators.viber.com/docs/bots-api/events).
 * Kept as JSON text: `message_token` is a 64-bit number that JSON.parse would round.
 */

/** A token beyond 2^53, as in Viber's samples. */
export const TOKEN = '4912661846655238145';
export const USER_ID = '01234567890A=';
export const TS = 1457764197627;

const sender = `{"id":"${USER_ID}","name":"John McClane","avatar":"http://avatar.example.com","country":"UK","language":"en","api_version":1}`;

function message(messageJson: string): string {
  return `{"event":"message","timestamp":${TS},"chat_hostname":"SN-376_","message_token":${TOKEN},"sender":${sender},"message":${messageJson},"silent":false}`;
}

export const callbacks = {
  text: message('{"type":"text","text":"a message to the service","tracking_data":"tracking data"}'),
  picture: message('{"type":"picture","text":"My picture","media":"http://www.images.com/img.jpg","thumbnail":"http://www.images.com/thumb.jpg","file_name":"img.jpg","size":10000}'),
  video: message('{"type":"video","media":"http://www.images.com/video.mp4","thumbnail":"http://www.images.com/thumb.jpg","size":10000,"duration":10}'),
  file: message('{"type":"file","media":"http://www.images.com/file.doc","size":10000,"file_name":"name_of_file.doc"}'),
  sticker: message('{"type":"sticker","sticker_id":46105,"media":"https://viber-stickers.example.com/46105.png"}'),
  contact: message('{"type":"contact","contact":{"name":"Itamar","phone_number":"+972511123123","avatar":"http://avatar_url"}}'),
  location: message('{"type":"location","location":{"lat":50.76891,"lon":6.11499}}'),
  url: message('{"type":"url","media":"http://www.website.com/go_here"}'),
  unknownMessageType: message('{"type":"poll","text":"?"}'),
  delivered: `{"event":"delivered","timestamp":${TS},"chat_hostname":"SN-376_","message_token":${TOKEN},"user_id":"${USER_ID}"}`,
  seen: `{"event":"seen","timestamp":${TS},"chat_hostname":"SN-376_","message_token":${TOKEN},"user_id":"${USER_ID}"}`,
  failed: `{"event":"failed","timestamp":${TS},"chat_hostname":"SN-376_","message_token":${TOKEN},"user_id":"${USER_ID}","desc":"failure description"}`,
  subscribed: `{"event":"subscribed","timestamp":${TS},"chat_hostname":"SN-376_","user":${sender},"message_token":${TOKEN}}`,
  unsubscribed: `{"event":"unsubscribed","timestamp":${TS},"chat_hostname":"SN-376_","user_id":"${USER_ID}","message_token":${TOKEN}}`,
  conversationStarted: `{"event":"conversation_started","timestamp":${TS},"chat_hostname":"SN-376_","message_token":${TOKEN},"type":"open","context":"context information","user":${sender},"subscribed":false}`,
  webhook: `{"event":"webhook","timestamp":${TS},"chat_hostname":"SN-376_","message_token":241256543215}`,
  unknownEvent: `{"event":"client_status","timestamp":${TS},"chat_hostname":"SN-376_","user_id":"${USER_ID}"}`,
} as const;

/** A message answering a keyboard: the tap's ActionBody as text, with Switchboard's tracking data. */
export const keyboardReply = message(JSON.stringify({
  type: 'text', text: 'status', tracking_data: JSON.stringify({ switchboard: { messageId: 'out-1', replies: { status: 'Car status', agent: 'Talk to a person' } } }),
}));
