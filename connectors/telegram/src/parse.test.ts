import { describe, expect, it } from 'vitest';
import { MalformedPayloadError, type RawWebhook } from '@switchboard/core';
import { TelegramConnector } from './telegram-connector.js';
import { parseConfig } from './config.js';
import * as u from './__fixtures__/updates.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const connector = new TelegramConnector(
  parseConfig({ botToken: '7000000001:AAFakeSandboxTokenForSwitchboard001', secretToken: 'secret' }),
  { clock: { now: () => NOW } },
);
const webhook = (body: unknown): RawWebhook => ({
  method: 'POST', path: '/webhooks/telegram/7000000001', query: {},
  headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'secret' },
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const parse = (body: unknown) => connector.parse(webhook(body));
const at = new Date(1441645532 * 1000);
const base = { channel: 'telegram', accountId: '7000000001', userId: '1111111', timestamp: at };

describe('parse', () => {
  it('text message: chat id as user, message_id as external id, update_id as event id', () => {
    expect(parse(u.textMessage)).toEqual([{
      kind: 'message', ...base, eventId: '10000', externalId: '1365',
      content: { type: 'text', text: 'Hello, is my car ready?' },
      profile: { name: 'Test Firstname Test Lastname', username: 'Testusername', languageCode: 'en' },
      metadata: { updateType: 'message', chatType: 'private' },
    }]);
  });

  it('/start without payload: conversation-started without context, then the message with its command', () => {
    const events = parse(u.startCommand);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      kind: 'conversation-started', ...base, eventId: '10001:conversation-started',
      profile: { name: 'Test Firstname Test Lastname', username: 'Testusername', languageCode: 'en' },
    });
    expect(events[1]).toMatchObject({ kind: 'message', eventId: '10001', externalId: '1366', content: { type: 'text', text: '/start' }, metadata: { command: 'start' } });
  });

  it('/start with a deep-link payload: conversation-started with the payload as context', () => {
    const [started, message] = parse(u.startDeepLink);
    expect(started).toMatchObject({ kind: 'conversation-started', context: 'order-4711', eventId: '10002:conversation-started', userId: '1111111' });
    expect(message).toMatchObject({ kind: 'message', metadata: { command: 'start', commandArgs: 'order-4711' } });
  });

  it('other bot commands (with @mention) are messages with command and args in metadata', () => {
    const events = parse(u.helpCommandWithMention);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'message', content: { type: 'text', text: '/help@switchboard_sandbox_bot brakes' }, metadata: { command: 'help', commandArgs: 'brakes' } });
  });

  it('text with formatting entities keeps the plain text', () => {
    expect(parse(u.textWithEntities)).toMatchObject([{ kind: 'message', content: { type: 'text', text: 'Bold and italics and https://example.com' } }]);
    expect((parse(u.textWithEntities)[0] as { metadata: Record<string, unknown> }).metadata.command).toBeUndefined();
  });

  it('reply keeps the replied-to message id', () => {
    expect(parse(u.replyMessage)).toMatchObject([{ kind: 'message', externalId: '1370', replyTo: '1300' }]);
  });

  it('edited_message: edited, same external id, edit_date as timestamp', () => {
    expect(parse(u.editedMessage)).toEqual([expect.objectContaining({
      kind: 'message', edited: true, externalId: '1365', eventId: '10006', timestamp: new Date((1441645532 + 60) * 1000),
      content: { type: 'text', text: 'Hello, is my van ready?' }, metadata: { updateType: 'edited_message', chatType: 'private' },
    })]);
  });

  it('photo: the largest size, with its caption', () => {
    expect(parse(u.photoMessage)).toMatchObject([{ kind: 'message', content: { type: 'image', media: { id: 'AgACAgQAAxkBAAIBsmS_large', size: 112211, caption: 'Scratch on the door' } } }]);
  });

  it('video', () => {
    expect(parse(u.videoMessage)).toMatchObject([{ content: { type: 'video', media: { id: 'BAACAgQAAxkBAAIBtGS_video', mimeType: 'video/mp4', size: 2048000 } } }]);
  });

  it('audio', () => {
    expect(parse(u.audioMessage)).toMatchObject([{ content: { type: 'audio', media: { id: 'CQACAgQAAxkBAAIBtWS_audio', mimeType: 'audio/mpeg', filename: 'engine.mp3' } } }]);
  });

  it('voice becomes audio', () => {
    expect(parse(u.voiceMessage)).toMatchObject([{ content: { type: 'audio', media: { id: 'AwACAgQAAxkBAAIBtmS_voice', mimeType: 'audio/ogg' } } }]);
  });

  it('document with file name and caption', () => {
    expect(parse(u.documentMessage)).toMatchObject([{ content: { type: 'document', media: { id: 'BQACAgQAAxkBAAIBt2S_doc', filename: 'invoice.pdf', mimeType: 'application/pdf', caption: 'My invoice' } } }]);
  });

  it('sticker, with a MIME type from its format', () => {
    expect(parse(u.stickerMessage)).toMatchObject([{ content: { type: 'sticker', media: { id: 'CAACAgIAAxkBAAIBuGS_sticker', mimeType: 'image/webp' } } }]);
  });

  it('location', () => {
    expect(parse(u.locationMessage)).toMatchObject([{ content: { type: 'location', latitude: 52.520008, longitude: 13.404954 } }]);
  });

  it('venue becomes a location with name and address', () => {
    expect(parse(u.venueMessage)).toMatchObject([{ content: { type: 'location', latitude: 48.858844, longitude: 2.294351, name: 'Eiffel Tower', address: 'Champ de Mars, 5 Av. Anatole France, Paris' } }]);
  });

  it('contact becomes a contacts card', () => {
    expect(parse(u.contactMessage)).toMatchObject([{ content: { type: 'contacts', contacts: [{ name: 'Erika Mustermann', phones: [{ phone: '+4915112345678' }] }] } }]);
  });

  it('callback_query: a reply with the data and the button text, callback id as external id and metadata', () => {
    expect(parse(u.callbackQuery)).toEqual([{
      kind: 'message', ...base, timestamp: new Date(NOW), eventId: '10016', externalId: '4382bfdwdsb323b2d9',
      content: { type: 'reply', id: 'book:yes', title: 'Yes, book it' }, replyTo: '1380',
      profile: { name: 'Test Firstname Test Lastname', username: 'Testusername', languageCode: 'en' },
      metadata: { updateType: 'callback_query', callbackQueryId: '4382bfdwdsb323b2d9', chatInstance: '-4382bfdwdsb323b2d9' },
    }]);
  });

  it('callback_query on an inline message: the sender as user, the data as title', () => {
    expect(parse(u.callbackQueryWithoutMessage)).toMatchObject([{ kind: 'message', userId: '1111111', content: { type: 'reply', id: 'inline:1', title: 'inline:1' } }]);
  });

  it('my_chat_member kicked → consent blocked', () => {
    expect(parse(u.myChatMemberKicked)).toEqual([{ kind: 'consent', action: 'blocked', ...base, eventId: '10018', detail: 'my_chat_member member -> kicked' }]);
  });

  it('my_chat_member member again → consent unblocked', () => {
    expect(parse(u.myChatMemberMemberAgain)).toMatchObject([{ kind: 'consent', action: 'unblocked', userId: '1111111', eventId: '10019', timestamp: new Date((1441645532 + 3600) * 1000) }]);
  });

  it('group message: the group chat is the user side, the sender is in the profile', () => {
    expect(parse(u.groupMessage)).toEqual([{
      kind: 'message', ...base, userId: '-1001234567890', eventId: '10020', externalId: '88',
      content: { type: 'text', text: 'Anyone know the opening hours?' },
      profile: { name: 'Test Firstname Test Lastname', username: 'Testusername', languageCode: 'en', senderId: '1111111', chatTitle: 'Workshop customers' },
      metadata: { updateType: 'message', chatType: 'supergroup' },
    }]);
  });

  it('/start in a group is only a command: a group starts with the bot being added', () => {
    const update = { update_id: 10030, message: { ...u.groupMessage.message, text: '/start@switchboard_sandbox_bot', entities: [{ type: 'bot_command', offset: 0, length: 30 }] } };
    expect(parse(update).map((e) => e.kind)).toEqual(['message']);
  });

  it('an edited /start does not start the conversation again', () => {
    const update = { update_id: 10031, edited_message: { ...u.startDeepLink.message, edit_date: 1441645600 } };
    expect(parse(update).map((e) => e.kind)).toEqual(['message']);
  });

  it('unknown update types are unsupported, with the update id', () => {
    expect(parse(u.channelPost)).toEqual([{ kind: 'unsupported', channel: 'telegram', accountId: '7000000001', reason: 'update type channel_post is not handled', eventId: '10021' }]);
  });

  it('unknown message contents are unsupported', () => {
    expect(parse(u.pollMessage)).toMatchObject([{ kind: 'unsupported', userId: '1111111', reason: 'message content poll is not handled', eventId: '10022' }]);
  });

  it('garbage is MalformedPayloadError', () => {
    expect(() => parse('not json')).toThrow(MalformedPayloadError);
    expect(() => parse({ message: { text: 'no update id' } })).toThrow(MalformedPayloadError);
    expect(() => parse({ update_id: 1, message: { message_id: 1, date: 1 } })).toThrow(MalformedPayloadError);
    expect(() => parse({ update_id: -1 })).toThrow(MalformedPayloadError);
  });
});
