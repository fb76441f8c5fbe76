/**
 * The first-party channels an app can be scaffolded with: their package, the config fields each
 * account needs (secrets read from the environment), and a customer id their fake platform accepts.
 * @module
 */

/** One config field of a channel account and the environment variable it is read from. */
export interface ChannelField {
  /** The field of the connector's config (see the connector's README). */
  field: string;
  /** The environment variable holding its value. */
  env: string;
  /** What to put there, for `.env.example` (a description, never a value). */
  hint: string;
}

/** What the scaffolder knows about a first-party channel. */
export interface ChannelInfo {
  /** The channel id (`telegram`). */
  channel: string;
  /** The connector package (`@switchboard/telegram`). */
  packageName: string;
  /** The platform's name in prose. */
  title: string;
  /** The config fields of one account. */
  fields: readonly ChannelField[];
  /** A customer id the channel's fake platform accepts, for the scaffolded test. */
  sampleUserId: string;
}

/** The channels, in the order `--help` lists them. */
export const CHANNELS: readonly ChannelInfo[] = [
  {
    channel: 'telegram', packageName: '@switchboard/telegram', title: 'Telegram', sampleUserId: '700100200',
    fields: [
      { field: 'botToken', env: 'TELEGRAM_BOT_TOKEN', hint: 'the token @BotFather gave the bot (<bot id>:<secret>)' },
      { field: 'secretToken', env: 'TELEGRAM_SECRET_TOKEN', hint: 'the secret_token you register with setWebhook (1-256 of A-Z a-z 0-9 _ -)' },
    ],
  },
  {
    channel: 'whatsapp', packageName: '@switchboard/whatsapp', title: 'WhatsApp', sampleUserId: '4917612345678',
    fields: [
      { field: 'accessToken', env: 'WHATSAPP_ACCESS_TOKEN', hint: 'a system-user access token with whatsapp_business_messaging' },
      { field: 'appSecret', env: 'WHATSAPP_APP_SECRET', hint: 'the Meta app secret (key of X-Hub-Signature-256)' },
      { field: 'verifyToken', env: 'WHATSAPP_VERIFY_TOKEN', hint: 'the verify token typed into the app dashboard' },
      { field: 'phoneNumberId', env: 'WHATSAPP_PHONE_NUMBER_ID', hint: 'the business phone number id (digits)' },
    ],
  },
  {
    channel: 'messenger', packageName: '@switchboard/messenger', title: 'Messenger', sampleUserId: '6812345678901234',
    fields: [
      { field: 'pageAccessToken', env: 'MESSENGER_PAGE_ACCESS_TOKEN', hint: 'a Page access token with pages_messaging' },
      { field: 'appSecret', env: 'MESSENGER_APP_SECRET', hint: 'the Meta app secret (key of X-Hub-Signature-256)' },
      { field: 'verifyToken', env: 'MESSENGER_VERIFY_TOKEN', hint: 'the verify token typed into the app dashboard' },
      { field: 'pageId', env: 'MESSENGER_PAGE_ID', hint: 'the Page id (digits)' },
    ],
  },
  {
    channel: 'viber', packageName: '@switchboard/viber', title: 'Viber', sampleUserId: '01234567890A=',
    fields: [
      { field: 'authToken', env: 'VIBER_AUTH_TOKEN', hint: 'the bot\'s app key from the Viber bot settings' },
      { field: 'botName', env: 'VIBER_BOT_NAME', hint: 'the sender name shown on messages (at most 28 characters)' },
    ],
  },
  {
    channel: 'apple', packageName: '@switchboard/apple', title: 'Apple Messages for Business', sampleUserId: 'urn:mbid:AQAAY7S2example',
    fields: [
      { field: 'mspId', env: 'APPLE_MSP_ID', hint: 'your messaging service provider id' },
      { field: 'mspSecret', env: 'APPLE_MSP_SECRET', hint: 'the MSP secret exactly as Apple issues it (Base64)' },
      { field: 'businessId', env: 'APPLE_BUSINESS_ID', hint: 'the business id (destination-id of inbound messages)' },
    ],
  },
];

/** The channel an app gets when `--channels` is not given. */
export const DEFAULT_CHANNELS: readonly string[] = ['telegram'];

/**
 * Reads a `--channels` value: channel ids separated by commas, each known, none twice.
 * @param value - e.g. `telegram,whatsapp`
 * @returns the channels in the order given, or a sentence saying what is wrong
 */
export function parseChannels(value: string): { channels: ChannelInfo[] } | { problem: string } {
  const ids = value.split(',').map((id) => id.trim().toLowerCase()).filter((id) => id !== '');
  if (ids.length === 0) return { problem: `--channels needs at least one of ${CHANNELS.map((c) => c.channel).join(', ')}` };
  const channels: ChannelInfo[] = [];
  for (const id of ids) {
    const info = CHANNELS.find((c) => c.channel === id);
    if (!info) return { problem: `unknown channel ${JSON.stringify(id)}: choose from ${CHANNELS.map((c) => c.channel).join(', ')}` };
    if (channels.includes(info)) return { problem: `the channel ${id} is listed twice` };
    channels.push(info);
  }
  return { channels };
}
