/**
 * Click-to-chat links and QR codes per channel, each carrying a signed start token where the
 * channel hands it back to the business:
 * - WhatsApp `https://wa.me/<number>?text=…`: only the prefilled text comes back, so the token is in it;
 * - Messenger `https://m.me/<page>?ref=…`: the `ref` comes back in the referral (or Get Started postback);
 * - Telegram `https://t.me/<bot>?start=…`: the payload comes back as `/start <payload>`;
 * - Viber `viber://pa?chatURI=…&context=…&text=…`: the context comes back in `conversation_started`, the text as the first message;
 * - Apple `https://bcrw.apple.com/urn:biz:<id>?biz-intent-id=…&body=…`: the intent comes with the first message, the body is its prefilled text.
 * @module
 */
import { parsePhoneNumber, phoneNumberProblem } from '@switchboard/core';
import QRCode from 'qrcode';

/** The channels a click-to-chat link can be built for. */
export const CLICK_TO_CHAT_CHANNELS = ['whatsapp', 'messenger', 'telegram', 'viber', 'apple'] as const;
/** One of {@link CLICK_TO_CHAT_CHANNELS}. */
export type ClickToChatChannel = (typeof CLICK_TO_CHAT_CHANNELS)[number];

/**
 * What the link points at: the business's WhatsApp phone number (E.164, or national with the
 * tenant's country: {@link normalizeLinkTarget}), the Facebook page's
 * username or id, the Telegram bot's username, the Viber bot's chat URI, the Apple business id.
 */
export type LinkTarget = string;

/** A built link with its QR code. */
export interface ClickToChatLink {
  channel: ClickToChatChannel;
  url: string;
  /** The text the customer's app prefills, when the channel has one. */
  prefilledText?: string;
  qr: { svg: string; png: string };
}

const TARGET_PATTERNS: Record<Exclude<ClickToChatChannel, 'whatsapp'>, { pattern: RegExp; hint: string }> = {
  messenger: { pattern: /^[A-Za-z0-9.]{1,64}$/, hint: 'a page username or id' },
  telegram: { pattern: /^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, hint: 'a bot username' },
  viber: { pattern: /^[A-Za-z0-9._-]{1,64}$/, hint: 'the bot\'s chat URI' },
  apple: { pattern: /^[A-Za-z0-9-]{8,64}$/, hint: 'the Messages for Business id' },
};

/** How a link target is read. */
export interface LinkTargetOptions {
  /** The country a national phone number is read in (the tenant's `country`). */
  defaultCountry?: string;
}

/**
 * Why a link target cannot be used, if it cannot. A WhatsApp number is parsed with libphonenumber
 * (a national number needs `defaultCountry`), not matched by a pattern.
 * @param channel - the channel
 * @param target - number, page, bot, chat URI or business id
 * @param options - the default country for a national phone number
 * @returns a message, or undefined when the target is fine
 */
export function linkTargetProblem(channel: ClickToChatChannel, target: string, options: LinkTargetOptions = {}): string | undefined {
  if (channel === 'whatsapp') {
    const problem = phoneNumberProblem(target, options);
    return problem === undefined ? undefined : `must be the business's phone number: it ${problem}`;
  }
  const { pattern, hint } = TARGET_PATTERNS[channel];
  return pattern.test(target) ? undefined : `must be ${hint}`;
}

/**
 * A link target as links use it: a WhatsApp number in E.164 (`030 1234567` in Germany is
 * `+49301234567`), the others as given.
 * @param channel - the channel
 * @param target - a target {@link linkTargetProblem} accepts
 * @param options - the default country for a national phone number
 * @returns the normalised target
 * @throws PhoneNumberError for a WhatsApp target that is not a phone number
 */
export function normalizeLinkTarget(channel: ClickToChatChannel, target: string, options: LinkTargetOptions = {}): string {
  return channel === 'whatsapp' ? parsePhoneNumber(target, options).e164 : target;
}

/**
 * Builds the click-to-chat URL for a channel.
 * @param channel - the channel
 * @param target - see {@link LinkTarget}; a WhatsApp number in international form ({@link normalizeLinkTarget})
 * @param token - the signed start token
 * @param prefill - the text the customer sends (the token is appended where the channel returns only text)
 * @returns the URL and the prefilled text
 * @throws PhoneNumberError for a WhatsApp target that is not an international phone number
 */
export function clickToChatUrl(channel: ClickToChatChannel, target: string, token: string, prefill: string): { url: string; prefilledText?: string } {
  const q = encodeURIComponent;
  switch (channel) {
    case 'whatsapp': {
      const text = `${prefill} ${token}`;
      // wa.me takes the full international number in digits: no +, no national prefix, no (0)
      return { url: `https://wa.me/${parsePhoneNumber(target).digits}?text=${q(text)}`, prefilledText: text };
    }
    case 'messenger':
      return { url: `https://m.me/${q(target)}?ref=${q(token)}` };
    case 'telegram':
      return { url: `https://t.me/${q(target.replace(/^@/, ''))}?start=${q(token)}` };
    case 'viber': {
      const text = `${prefill} ${token}`;
      return { url: `viber://pa?chatURI=${q(target)}&context=${q(token)}&text=${q(text)}`, prefilledText: text };
    }
    case 'apple': {
      // Apple refuses reserved characters (& # [ ] ( ) { } /) in intent, group and body, even encoded
      const text = `${prefill.replace(/[&#[\](){}/]/g, ' ').replace(/\s+/g, ' ').trim()} ${token}`;
      return { url: `https://bcrw.apple.com/urn:biz:${target}?biz-intent-id=${q(token)}&body=${q(text)}`, prefilledText: text };
    }
  }
}

/**
 * Renders a QR code as SVG and PNG data URLs.
 * @param url - what the code encodes
 * @returns `data:image/svg+xml;base64,…` and `data:image/png;base64,…`
 */
export async function qrCodes(url: string): Promise<{ svg: string; png: string }> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 };
  const svg = await QRCode.toString(url, { ...options, type: 'svg' });
  const png = await QRCode.toDataURL(url, { ...options, type: 'image/png', width: 320 });
  return { svg: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`, png };
}

/**
 * Builds a channel's link and its QR code.
 * @param channel - the channel
 * @param target - see {@link LinkTarget}
 * @param token - the signed start token
 * @param prefill - the prefilled text (without the token)
 * @returns the link
 */
export async function buildClickToChatLink(channel: ClickToChatChannel, target: string, token: string, prefill: string): Promise<ClickToChatLink> {
  const built = clickToChatUrl(channel, target, token, prefill);
  return { channel, ...built, qr: await qrCodes(built.url) };
}
