import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhoneNumberError } from '@switchboard/core';
import { buildClickToChatLink, clickToChatUrl, linkTargetProblem, normalizeLinkTarget } from './click-to-chat.js';
import { channelUserId } from './customer-id.js';

const TOKEN = 'OIabcdefghijklmnopqrstuvwxyz01234567';

describe('click-to-chat links', () => {
  it('WhatsApp: wa.me with the number\'s digits and the token in the prefilled text', () => {
    expect(clickToChatUrl('whatsapp', '+49 30 1234567', TOKEN, 'Send me flight updates.')).toEqual({
      url: `https://wa.me/49301234567?text=Send%20me%20flight%20updates.%20${TOKEN}`, prefilledText: `Send me flight updates. ${TOKEN}`,
    });
  });
  it('Messenger: m.me with ref; Telegram: t.me with start', () => {
    expect(clickToChatUrl('messenger', 'acmeshop', TOKEN, 'x').url).toBe(`https://m.me/acmeshop?ref=${TOKEN}`);
    expect(clickToChatUrl('telegram', '@acme_bot', TOKEN, 'x').url).toBe(`https://t.me/acme_bot?start=${TOKEN}`);
  });
  it('Viber: viber://pa with chatURI, context and text', () => {
    expect(clickToChatUrl('viber', 'acmeshop', TOKEN, 'Hola').url).toBe(`viber://pa?chatURI=acmeshop&context=${TOKEN}&text=Hola%20${TOKEN}`);
  });
  it('Apple: bcrw.apple.com with the intent and a body free of reserved characters', () => {
    const { url, prefilledText } = clickToChatUrl('apple', '0f1e2d3c-aaaa-bbbb-cccc-0123456789ab', TOKEN, 'Updates (flights) & more/less');
    expect(prefilledText).toBe(`Updates flights more less ${TOKEN}`);
    expect(url).toBe(`https://bcrw.apple.com/urn:biz:0f1e2d3c-aaaa-bbbb-cccc-0123456789ab?biz-intent-id=${TOKEN}&body=${encodeURIComponent(prefilledText!)}`);
  });
  it('checks targets', () => {
    expect(linkTargetProblem('whatsapp', 'not a number')).toMatch(/phone number/);
    expect(linkTargetProblem('telegram', 'acme_bot')).toBeUndefined();
  });
  it('regression: a national WhatsApp number is read in the tenant\'s country (030 1234567 became wa.me/0301234567)', () => {
    expect(linkTargetProblem('whatsapp', '030 1234567')).toMatch(/national number/);
    expect(linkTargetProblem('whatsapp', '030 1234567', { defaultCountry: 'DE' })).toBeUndefined();
    const target = normalizeLinkTarget('whatsapp', '030 1234567', { defaultCountry: 'DE' });
    expect(target).toBe('+49301234567');
    expect(clickToChatUrl('whatsapp', target, TOKEN, 'Hi').url).toBe(`https://wa.me/49301234567?text=Hi%20${TOKEN}`);
    // a national number that reaches the URL builder unread is refused, not glued into a link
    expect(() => clickToChatUrl('whatsapp', '030 1234567', TOKEN, 'Hi')).toThrow(PhoneNumberError);
  });
  it('regression: the (0) in +49 (0)30… is the national prefix, not a digit of the number (it became wa.me/490301234567)', () => {
    expect(clickToChatUrl('whatsapp', '+49 (0)30 1234567', TOKEN, 'Hi').url).toBe(`https://wa.me/49301234567?text=Hi%20${TOKEN}`);
  });
  it('refuses what cannot be a number, and leaves the other channels\' targets as given', () => {
    expect(linkTargetProblem('whatsapp', '+49 30', { defaultCountry: 'DE' })).toMatch(/phone number/);
    expect(linkTargetProblem('whatsapp', '+0 1234567')).toMatch(/calling code/);
    expect(normalizeLinkTarget('telegram', '@acme_bot')).toBe('@acme_bot');
  });
  it('a WhatsApp link always points at digits only, whatever formatting the number had (property)', () => {
    const written = fc.tuple(fc.constantFrom('+49 30 1234567', '+49 (0)30 1234567', '0049-30-1234567', '030/1234567', '(030) 123 45 67', '+49.30.123.45.67'));
    fc.assert(fc.property(written, ([n]) => {
      expect(clickToChatUrl('whatsapp', normalizeLinkTarget('whatsapp', n, { defaultCountry: 'DE' }), TOKEN, 'x').url).toMatch(/^https:\/\/wa\.me\/49301234567\?/);
    }));
  });
  it('a WhatsApp customer id given as a phone number becomes the wa_id its webhooks carry', () => {
    expect(channelUserId('whatsapp', '+49 151 1234 5678')).toBe('4915112345678');
    expect(channelUserId('whatsapp', '0151 12345678', { defaultCountry: 'DE' })).toBe('4915112345678');
    expect(channelUserId('whatsapp', '4915112345678')).toBe('4915112345678');
    expect(() => channelUserId('whatsapp', 'u1', { field: 'address.userId' })).toThrow(PhoneNumberError);
    expect(channelUserId('telegram', 'u1')).toBe('u1');
  });
  it('renders SVG and PNG QR codes as data URLs', async () => {
    const link = await buildClickToChatLink('telegram', 'acme_bot', TOKEN, 'x');
    expect(link.qr.png).toMatch(/^data:image\/png;base64,/);
    expect(link.qr.svg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(link.qr.svg.split(',')[1]!, 'base64').toString('utf8')).toContain('<svg');
    expect(Buffer.from(link.qr.png.split(',')[1]!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});
