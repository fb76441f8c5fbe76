/**
 * Where a message goes: the business side (`accountId`) and the customer side (`userId`) on a channel.
 * @module
 */

/** A channel id: one of ours or a vendor's (`'line'`, `'sms'`, …). */
export type ChannelId = 'whatsapp' | 'messenger' | 'telegram' | 'viber' | 'apple' | (string & {});

/** An address on a channel. */
export interface Address {
  /** The channel id. */
  channel: ChannelId;
  /** Business side: phone number id, page id, bot id, Viber bot, Apple business id. */
  accountId: string;
  /** Customer side: wa_id, PSID, chat id, Viber user id, Apple opaque id. */
  userId: string;
}

/**
 * A stable string key for an address, for maps and unique indexes.
 * @param a - the address
 * @returns `channel:accountId:userId`
 */
export function addressKey(a: Address): string {
  return `${a.channel}:${a.accountId}:${a.userId}`;
}
