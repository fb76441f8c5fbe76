/**
 * Updates shaped like the samples in Telegram's webhook guide (core.telegram.org/bots/webhooks,
 * "Testing your bot with updates") and the Bot API's Update / Message / CallbackQuery /
 * ChatMemberUpdated objects (core.telegram.org/bots/api).
 */
const user = { id: 1111111, is_bot: false, first_name: 'Test Firstname', last_name: 'Test Lastname', username: 'Testusername', language_code: 'en' };
const chat = { id: 1111111, first_name: 'Test Firstname', last_name: 'Test Lastname', username: 'Testusername', type: 'private' };
const bot = { id: 7000000001, is_bot: true, first_name: 'Switchboard Sandbox', username: 'switchboard_sandbox_bot' };
const date = 1441645532;

export const textMessage = {
  update_id: 10000,
  message: { date, chat, message_id: 1365, from: user, text: 'Hello, is my car ready?' },
};

export const startCommand = {
  update_id: 10001,
  message: { date, chat, message_id: 1366, from: user, text: '/start', entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
};

export const startDeepLink = {
  update_id: 10002,
  message: { date, chat, message_id: 1367, from: user, text: '/start order-4711', entities: [{ type: 'bot_command', offset: 0, length: 6 }] },
};

export const helpCommandWithMention = {
  update_id: 10003,
  message: {
    date, chat, message_id: 1368, from: user, text: '/help@switchboard_sandbox_bot brakes',
    entities: [{ type: 'bot_command', offset: 0, length: 29 }],
  },
};

export const textWithEntities = {
  update_id: 10004,
  message: {
    date, chat, message_id: 1369, from: user, text: 'Bold and italics and https://example.com',
    entities: [{ type: 'italic', offset: 9, length: 7 }, { type: 'bold', offset: 0, length: 4 }, { type: 'url', offset: 21, length: 19 }],
  },
};

export const replyMessage = {
  update_id: 10005,
  message: {
    date, chat, message_id: 1370, from: user, text: 'Yes, that one',
    reply_to_message: { date, chat, message_id: 1300, from: bot, text: 'Is this your car?' },
  },
};

export const editedMessage = {
  update_id: 10006,
  edited_message: { date, edit_date: date + 60, chat, message_id: 1365, from: user, text: 'Hello, is my van ready?' },
};

export const photoMessage = {
  update_id: 10007,
  message: {
    date, chat, message_id: 1371, from: user, caption: 'Scratch on the door',
    photo: [
      { file_id: 'AgACAgQAAxkBAAIBsmS_small', file_unique_id: 'AQADsmall', file_size: 1277, width: 90, height: 67 },
      { file_id: 'AgACAgQAAxkBAAIBsmS_large', file_unique_id: 'AQADlarge', file_size: 112211, width: 1280, height: 960 },
      { file_id: 'AgACAgQAAxkBAAIBsmS_medium', file_unique_id: 'AQADmedium', file_size: 20522, width: 320, height: 240 },
    ],
  },
};

export const videoMessage = {
  update_id: 10008,
  message: {
    date, chat, message_id: 1372, from: user,
    video: { file_id: 'BAACAgQAAxkBAAIBtGS_video', file_unique_id: 'AgADvideo', width: 1280, height: 720, duration: 12, mime_type: 'video/mp4', file_size: 2048000 },
  },
};

export const audioMessage = {
  update_id: 10009,
  message: {
    date, chat, message_id: 1373, from: user,
    audio: { file_id: 'CQACAgQAAxkBAAIBtWS_audio', file_unique_id: 'AgADaudio', duration: 243, mime_type: 'audio/mpeg', file_size: 3897500, title: 'Test music file', file_name: 'engine.mp3' },
  },
};

export const voiceMessage = {
  update_id: 10010,
  message: {
    date, chat, message_id: 1374, from: user,
    voice: { file_id: 'AwACAgQAAxkBAAIBtmS_voice', file_unique_id: 'AgADvoice', duration: 5, mime_type: 'audio/ogg', file_size: 23000 },
  },
};

export const documentMessage = {
  update_id: 10011,
  message: {
    date, chat, message_id: 1375, from: user, caption: 'My invoice',
    document: { file_id: 'BQACAgQAAxkBAAIBt2S_doc', file_unique_id: 'AgADdoc', file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 8192 },
  },
};

export const stickerMessage = {
  update_id: 10012,
  message: {
    date, chat, message_id: 1376, from: user,
    sticker: { file_id: 'CAACAgIAAxkBAAIBuGS_sticker', file_unique_id: 'AgADsticker', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '👍', set_name: 'HotCherry', file_size: 30000 },
  },
};

export const locationMessage = {
  update_id: 10013,
  message: { date, chat, message_id: 1377, from: user, location: { latitude: 52.520008, longitude: 13.404954 } },
};

export const venueMessage = {
  update_id: 10014,
  message: {
    date, chat, message_id: 1378, from: user,
    location: { latitude: 48.858844, longitude: 2.294351 },
    venue: { location: { latitude: 48.858844, longitude: 2.294351 }, title: 'Eiffel Tower', address: 'Champ de Mars, 5 Av. Anatole France, Paris' },
  },
};

export const contactMessage = {
  update_id: 10015,
  message: {
    date, chat, message_id: 1379, from: user,
    contact: { phone_number: '+4915112345678', first_name: 'Erika', last_name: 'Mustermann', user_id: 2222222 },
  },
};

export const callbackQuery = {
  update_id: 10016,
  callback_query: {
    id: '4382bfdwdsb323b2d9',
    from: user,
    message: {
      message_id: 1380, from: bot, chat, date,
      text: 'Book a service?',
      reply_markup: { inline_keyboard: [[{ text: 'Yes, book it', callback_data: 'book:yes' }], [{ text: 'No thanks', callback_data: 'book:no' }]] },
    },
    chat_instance: '-4382bfdwdsb323b2d9',
    data: 'book:yes',
  },
};

export const callbackQueryWithoutMessage = {
  update_id: 10017,
  callback_query: { id: '4382bfdwdsb323b2e0', from: user, inline_message_id: 'AAAAAAAAAAAAAAAA', chat_instance: '42', data: 'inline:1' },
};

export const myChatMemberKicked = {
  update_id: 10018,
  my_chat_member: {
    chat, from: user, date,
    old_chat_member: { user: bot, status: 'member' },
    new_chat_member: { user: bot, status: 'kicked', until_date: 0 },
  },
};

export const myChatMemberMemberAgain = {
  update_id: 10019,
  my_chat_member: {
    chat, from: user, date: date + 3600,
    old_chat_member: { user: bot, status: 'kicked', until_date: 0 },
    new_chat_member: { user: bot, status: 'member' },
  },
};

const group = { id: -1001234567890, title: 'Workshop customers', type: 'supergroup' };

export const groupMessage = {
  update_id: 10020,
  message: { date, chat: group, message_id: 88, from: user, text: 'Anyone know the opening hours?' },
};

export const channelPost = {
  update_id: 10021,
  channel_post: { message_id: 5, sender_chat: { id: -1009876543210, title: 'News', type: 'channel' }, chat: { id: -1009876543210, title: 'News', type: 'channel' }, date, text: 'News' },
};

export const pollMessage = {
  update_id: 10022,
  message: {
    date, chat, message_id: 1381, from: user,
    poll: { id: '1', question: 'Best time?', options: [{ text: 'AM', voter_count: 0 }, { text: 'PM', voter_count: 0 }], total_voter_count: 0, is_closed: false, is_anonymous: true, type: 'regular', allows_multiple_answers: false },
  },
};
