import { describe, expect, it } from 'vitest';
import { buildClickToChatLink, clickToChatUrl, linkTargetProblem } from './click-to-chat.js';

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
  it('renders SVG and PNG QR codes as data URLs', async () => {
    const link = await buildClickToChatLink('telegram', 'acme_bot', TOKEN, 'x');
    expect(link.qr.png).toMatch(/^data:image\/png;base64,/);
    expect(link.qr.svg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(link.qr.svg.split(',')[1]!, 'base64').toString('utf8')).toContain('<svg');
    expect(Buffer.from(link.qr.png.split(',')[1]!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG');
  });
});
