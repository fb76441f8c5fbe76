import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Content, OutboundMessage, RecordedRequest } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeMessengerServer, messengerSandboxConfig } from './fake-messenger-server.js';
import { MessengerConnector } from './messenger-connector.js';

const PSID = '6543210987654321';
const fake = new FakeMessengerServer({ config: { ...messengerSandboxConfig } });
let connector: MessengerConnector;
beforeAll(async () => {
  await fake.start();
  connector = new MessengerConnector(parseConfig(fake.connectorConfig()));
});
afterAll(async () => { await fake.stop(); });
// the customer wrote a moment ago: a PSID exists for the page and the 24-hour window is open
beforeEach(() => { fake.reset(); fake.userMessage({ userId: PSID, text: 'Hello' }); });

const msg = (content: Content, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  id: 'out-1', to: { channel: 'messenger', accountId: messengerSandboxConfig.pageId, userId: PSID }, content, purpose: 'service', sender: 'bot', ...extra,
});
const PATH = `/v23.0/${messengerSandboxConfig.pageId}/messages`;
const recipient = { id: PSID };

/** Sends through the fake and returns what reached it, checking method, path and headers of each request. */
async function sent(m: OutboundMessage): Promise<unknown[]> {
  const result = await connector.send(m);
  expect(result.externalId).toBeTruthy();
  const requests: RecordedRequest[] = [...fake.requests];
  for (const r of requests) {
    expect(r.method).toBe('POST');
    expect(r.path).toBe(PATH);
    expect(r.query).toEqual({});
    expect(r.headers.authorization).toBe(`Bearer ${messengerSandboxConfig.pageAccessToken}`);
    expect(r.headers['content-type']).toBe('application/json');
  }
  return requests.map((r) => r.body);
}

describe('render and send: text', () => {
  it('text → RESPONSE for a service reply', async () => {
    expect(await sent(msg({ type: 'text', text: 'Your car is ready.' }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { text: 'Your car is ready.' } },
    ]);
  });
  it('a transactional message of the business → UPDATE', async () => {
    expect(await sent(msg({ type: 'text', text: 'Gate changed.' }, { purpose: 'transactional' }))).toEqual([
      { recipient, messaging_type: 'UPDATE', message: { text: 'Gate changed.' } },
    ]);
  });
  it('a tag form → MESSAGE_TAG with the tag', async () => {
    expect(await sent(msg({ type: 'text', text: 'Your order shipped.' }, { purpose: 'transactional', form: { kind: 'tag', tag: 'POST_PURCHASE_UPDATE' } }))).toEqual([
      { recipient, messaging_type: 'MESSAGE_TAG', tag: 'POST_PURCHASE_UPDATE', message: { text: 'Your order shipped.' } },
    ]);
  });
  it('a reply carries reply_to beside the message', async () => {
    expect(await sent(msg({ type: 'text', text: 'Yes.' }, { replyTo: 'm_customer_1' }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { text: 'Yes.' }, reply_to: { mid: 'm_customer_1' } },
    ]);
  });
  it('text over 2,000 characters is split into follow-ups, each within the limit', async () => {
    const text = `${'a'.repeat(1500)} ${'b'.repeat(1500)}`;
    const rendered = connector.render(msg({ type: 'text', text }));
    expect(rendered.rendering).toEqual({ form: 'native', parts: 2, note: 'text split into 2 messages of at most 2000 characters' });
    const bodies = await sent(msg({ type: 'text', text }));
    expect(bodies).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { text: 'a'.repeat(1500) } },
      { recipient, messaging_type: 'RESPONSE', message: { text: 'b'.repeat(1500) } },
    ]);
    const result = await connector.send(msg({ type: 'text', text }));
    expect(result.partIds).toHaveLength(1);
  });
  it('refuses an unknown tag and empty text before calling Meta', () => {
    expect(() => connector.render(msg({ type: 'text', text: 'x' }, { form: { kind: 'tag', tag: 'ISSUE_RESOLUTION' } }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
    expect(() => connector.render(msg({ type: 'text', text: '' }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
});

describe('render and send: media', () => {
  it('image by url → is_reusable attachment, caption as a second message', async () => {
    expect(await sent(msg({ type: 'image', media: { url: 'https://example.com/car.jpg', caption: 'Your car' } }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url: 'https://example.com/car.jpg', is_reusable: true } } } },
      { recipient, messaging_type: 'RESPONSE', message: { text: 'Your car' } },
    ]);
  });
  it('video by attachment_id', async () => {
    expect(await sent(msg({ type: 'video', media: { id: '1857777774821032' } }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { attachment: { type: 'video', payload: { attachment_id: '1857777774821032' } } } },
    ]);
  });
  it('audio by url', async () => {
    expect(await sent(msg({ type: 'audio', media: { url: 'https://example.com/note.mp3' } }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { attachment: { type: 'audio', payload: { url: 'https://example.com/note.mp3', is_reusable: true } } } },
    ]);
  });
  it('document → file attachment', async () => {
    expect(await sent(msg({ type: 'document', media: { url: 'https://example.com/pass.pdf', filename: 'pass.pdf' } }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { attachment: { type: 'file', payload: { url: 'https://example.com/pass.pdf', is_reusable: true } } } },
    ]);
  });
  it('sticker → image of its url (degraded)', async () => {
    const m = msg({ type: 'sticker', media: { id: 'sticker-1', url: 'https://example.com/s.webp' } });
    expect(connector.render(m).rendering?.form).toBe('degraded');
    expect(await sent(m)).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url: 'https://example.com/s.webp', is_reusable: true } } } },
    ]);
  });
  it('media without id or url is refused', () => {
    expect(() => connector.render(msg({ type: 'image', media: {} }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
});

describe('render and send: degraded kinds', () => {
  it('location → text with a map link', async () => {
    expect(await sent(msg({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1' }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { text: 'Workshop\nMarienplatz 1\nhttps://www.google.com/maps/search/?api=1&query=48.1372,11.5756' } },
    ]);
  });
  it('contacts → text', async () => {
    expect(await sent(msg({ type: 'contacts', contacts: [{ name: 'Service desk', phones: [{ phone: '+4989123456' }], emails: [{ email: 'desk@example.com' }] }] }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { text: 'Service desk\n+4989123456\ndesk@example.com' } },
    ]);
  });
  it('reply → its title', async () => {
    expect(await sent(msg({ type: 'reply', id: 'yes', title: 'Yes' }))).toEqual([{ recipient, messaging_type: 'RESPONSE', message: { text: 'Yes' } }]);
  });
  it('template → text from fallbackText (degraded)', async () => {
    const m = msg({ type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', parameters: [{ text: 'LH 2040' }, { text: 'B12' }], fallbackText: 'Flight {{1}} now departs from gate {{2}}.' }, { purpose: 'transactional' });
    expect(connector.render(m).rendering?.form).toBe('degraded');
    expect(await sent(m)).toEqual([{ recipient, messaging_type: 'UPDATE', message: { text: 'Flight LH 2040 now departs from gate B12.' } }]);
  });
});

describe('render and send: reactions', () => {
  it('reaction → sender_action react on the target', async () => {
    const bodies = await sent(msg({ type: 'reaction', emoji: '👍', target: 'm_customer_1' }));
    expect(bodies).toEqual([{ recipient, sender_action: 'react', payload: { message_id: 'm_customer_1', reaction: '👍' } }]);
  });
  it('an empty emoji → unreact', async () => {
    expect(await sent(msg({ type: 'reaction', emoji: '', target: 'm_customer_1' }))).toEqual([{ recipient, sender_action: 'unreact', payload: { message_id: 'm_customer_1' } }]);
  });
});

describe('render and send: interactive', () => {
  it('quick replies (≤13) on a text message', async () => {
    expect(await sent(msg({ type: 'interactive', body: 'Pick a color:', quickReplies: [{ id: 'RED', title: 'Red' }, { id: 'GREEN', title: 'Green' }] }))).toEqual([{
      recipient, messaging_type: 'RESPONSE',
      message: { text: 'Pick a color:', quick_replies: [{ content_type: 'text', title: 'Red', payload: 'RED' }, { content_type: 'text', title: 'Green', payload: 'GREEN' }] },
    }]);
  });
  it('≤3 buttons → button template with postback and web_url buttons', async () => {
    expect(await sent(msg({ type: 'interactive', header: 'Workshop', body: 'Anything else?', buttons: [{ id: 'STATUS', title: 'Car status' }, { id: 'site', title: 'Website', url: 'https://example.com' }] }))).toEqual([{
      recipient, messaging_type: 'RESPONSE',
      message: { attachment: { type: 'template', payload: { template_type: 'button', text: 'Workshop\nAnything else?', buttons: [
        { type: 'postback', title: 'Car status', payload: 'STATUS' }, { type: 'web_url', url: 'https://example.com', title: 'Website' },
      ] } } },
    }]);
  });
  it('4 postback buttons → quick replies (degraded)', async () => {
    const buttons = ['A', 'B', 'C', 'D'].map((x) => ({ id: x, title: `Option ${x}` }));
    const m = msg({ type: 'interactive', body: 'Choose', buttons });
    expect(connector.render(m).rendering?.form).toBe('degraded');
    expect(await sent(m)).toEqual([{
      recipient, messaging_type: 'RESPONSE', message: { text: 'Choose', quick_replies: buttons.map((b) => ({ content_type: 'text', title: b.title, payload: b.id })) },
    }]);
  });
  it('more than 13 quick replies → numbered text (degraded)', async () => {
    const quickReplies = Array.from({ length: 14 }, (_, i) => ({ id: `q${i}`, title: `Q${i + 1}` }));
    const bodies = await sent(msg({ type: 'interactive', body: 'Pick', quickReplies }));
    expect(bodies).toEqual([{ recipient, messaging_type: 'RESPONSE', message: { text: ['Pick', ...quickReplies.map((q, i) => `${i + 1}. ${q.title}`)].join('\n') } }]);
  });
  it('a quick reply title over 20 characters → numbered text', () => {
    const r = connector.render(msg({ type: 'interactive', body: 'Pick', quickReplies: [{ id: 'x', title: 'A title that is far too long' }] }));
    expect(r.body).toEqual({ recipient, messaging_type: 'RESPONSE', message: { text: 'Pick\n1. A title that is far too long' } });
  });
  it('a list (≤10 rows) → body text, then a generic template with one card per row', async () => {
    expect(await sent(msg({ type: 'interactive', body: 'Our menu', list: { button: 'Order', sections: [{ title: 'Snacks', rows: [{ id: 'FRIES', title: 'Fries', description: 'Salted' }, { id: 'WRAP', title: 'Wrap' }] }] } }))).toEqual([
      { recipient, messaging_type: 'RESPONSE', message: { text: 'Our menu' } },
      { recipient, messaging_type: 'RESPONSE', message: { attachment: { type: 'template', payload: { template_type: 'generic', elements: [
        { title: 'Fries', subtitle: 'Salted', buttons: [{ type: 'postback', title: 'Order', payload: 'FRIES' }] },
        { title: 'Wrap', buttons: [{ type: 'postback', title: 'Order', payload: 'WRAP' }] },
      ] } } } },
    ]);
  });
  it('refuses a payload over 1,000 characters', () => {
    expect(() => connector.render(msg({ type: 'interactive', body: 'x', quickReplies: [{ id: 'p'.repeat(1001), title: 'P' }] }))).toThrow(expect.objectContaining({ code: 'CONTENT_INVALID' }));
  });
});

describe('render and send: rich', () => {
  it('carousel → generic template', async () => {
    expect(await sent(msg({ type: 'rich', kind: 'carousel', payload: { items: [{ title: 'Menu', subtitle: 'Snacks', imageUrl: 'https://example.com/m.jpg', url: 'https://example.com/menu', buttons: [{ id: 'ORDER', title: 'Order' }] }] } }))).toEqual([{
      recipient, messaging_type: 'RESPONSE',
      message: { attachment: { type: 'template', payload: { template_type: 'generic', elements: [{
        title: 'Menu', subtitle: 'Snacks', image_url: 'https://example.com/m.jpg', default_action: { type: 'web_url', url: 'https://example.com/menu' },
        buttons: [{ type: 'postback', title: 'Order', payload: 'ORDER' }],
      }] } } },
    }]);
  });
  it('12 cards → two generic templates (10 + 2)', async () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ title: `Card ${i + 1}` }));
    const bodies = await sent(msg({ type: 'rich', kind: 'carousel', payload: { items } })) as { message: { attachment: { payload: { elements: unknown[] } } } }[];
    expect(bodies.map((b) => b.message.attachment.payload.elements.length)).toEqual([10, 2]);
  });
  it('another rich kind → fallbackText, or refused without one', async () => {
    expect(await sent(msg({ type: 'rich', kind: 'time-picker', payload: {}, fallbackText: 'When suits you?' }))).toEqual([{ recipient, messaging_type: 'RESPONSE', message: { text: 'When suits you?' } }]);
    expect(() => connector.render(msg({ type: 'rich', kind: 'payment', payload: {} }))).toThrow(expect.objectContaining({ code: 'CONTENT_UNSUPPORTED' }));
  });
});
