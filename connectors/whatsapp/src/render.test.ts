import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Content, OutboundMessage, RecordedRequest } from '@switchboard/core';
import { parseConfig } from './config.js';
import { FakeWhatsAppServer, whatsappSandboxConfig } from './fake-whatsapp-server.js';
import { WhatsAppConnector } from './whatsapp-connector.js';

const TO = '4915112345678';
const PATH = `/v23.0/${whatsappSandboxConfig.phoneNumberId}/messages`;
const fake = new FakeWhatsAppServer({
  config: { ...whatsappSandboxConfig, templates: [{ name: 'gate_change', language: 'en_US', category: 'utility', body: 'Flight {{1}} now departs from gate {{2}}, {{passenger}}.' }] },
});
let connector: WhatsAppConnector;

beforeAll(async () => {
  await fake.start();
  connector = new WhatsAppConnector(parseConfig(fake.connectorConfig()));
  // media the number holds (uploaded earlier): a send by id must name media Graph knows
  for (const [id, mimeType] of [['1003383421387256', 'image/jpeg'], ['1166846181421424', 'audio/ogg'], ['798882015472548', 'image/webp'], ['1', 'image/png']]) {
    fake.storeMedia({ id: id!, bytes: Buffer.from('media'), mimeType: mimeType! });
  }
});
afterAll(() => fake.stop());
// the customer wrote a moment ago: free-form messages are inside the 24-hour window
beforeEach(() => { fake.reset(); fake.userMessage({ userId: TO, text: 'Hello' }); });

const msg = (content: Content, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ id: 'm-1', to: { channel: 'whatsapp', accountId: whatsappSandboxConfig.phoneNumberId, userId: TO }, content, ...extra });
const envelope = (part: Record<string, unknown>): Record<string, unknown> => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to: TO, ...part });

/** Sends through the fake and returns the requests it received. */
async function sent(m: OutboundMessage): Promise<RecordedRequest[]> {
  const before = fake.requests.length;
  const result = await connector.send(m);
  expect(result.externalId).toMatch(/^wamid\./);
  return fake.requests.slice(before);
}

function expectRequest(r: RecordedRequest | undefined, body: Record<string, unknown>): void {
  expect(r?.method).toBe('POST');
  expect(r?.path).toBe(PATH);
  expect(r?.headers.authorization).toBe(`Bearer ${whatsappSandboxConfig.accessToken}`);
  expect(r?.headers['content-type']).toBe('application/json');
  expect(r?.body).toEqual(body);
}

describe('render and send: exact Cloud API payloads', () => {
  it('text', async () => {
    const [r, ...rest] = await sent(msg({ type: 'text', text: 'Your vehicle is ready.' }));
    expectRequest(r, envelope({ type: 'text', text: { preview_url: false, body: 'Your vehicle is ready.' } }));
    expect(rest).toEqual([]);
  });

  it('text with a link preview, replying to a customer message', async () => {
    const [r] = await sent(msg({ type: 'text', text: 'See https://example.com/booking', previewUrl: true }, { replyTo: 'wamid.IN' }));
    expectRequest(r, envelope({ context: { message_id: 'wamid.IN' }, type: 'text', text: { preview_url: true, body: 'See https://example.com/booking' } }));
  });

  it('text over 4,096 characters is split; only the first part carries the reply context', async () => {
    const paragraph = `${'word '.repeat(799)}end.`; // 4,000 characters
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const rendered = connector.render(msg({ type: 'text', text }, { replyTo: 'wamid.IN' }));
    expect(rendered.rendering).toMatchObject({ form: 'native', parts: 3 });
    const before = fake.requests.length;
    const result = await connector.send(msg({ type: 'text', text }, { replyTo: 'wamid.IN' }));
    const requests = fake.requests.slice(before);
    expect(requests).toHaveLength(3);
    expectRequest(requests[0], envelope({ context: { message_id: 'wamid.IN' }, type: 'text', text: { preview_url: false, body: paragraph } }));
    expectRequest(requests[1], envelope({ type: 'text', text: { preview_url: false, body: paragraph } }));
    expectRequest(requests[2], envelope({ type: 'text', text: { preview_url: false, body: paragraph } }));
    expect(result.partIds).toHaveLength(2);
  });

  it('image by link with caption', async () => {
    const [r] = await sent(msg({ type: 'image', media: { url: 'https://example.com/car.jpg', caption: 'Your car' } }));
    expectRequest(r, envelope({ type: 'image', image: { link: 'https://example.com/car.jpg', caption: 'Your car' } }));
  });

  it('image by media id (the id wins over a link)', async () => {
    const [r] = await sent(msg({ type: 'image', media: { id: '1003383421387256', url: 'https://example.com/car.jpg' } }));
    expectRequest(r, envelope({ type: 'image', image: { id: '1003383421387256' } }));
  });

  it('video with caption', async () => {
    const [r] = await sent(msg({ type: 'video', media: { url: 'https://example.com/tour.mp4', caption: 'Workshop tour' } }));
    expectRequest(r, envelope({ type: 'video', video: { link: 'https://example.com/tour.mp4', caption: 'Workshop tour' } }));
  });

  it('audio by id', async () => {
    const [r] = await sent(msg({ type: 'audio', media: { id: '1166846181421424' } }));
    expectRequest(r, envelope({ type: 'audio', audio: { id: '1166846181421424' } }));
  });

  it('audio with a caption: the caption follows as text (audio has none on WhatsApp)', async () => {
    const m = msg({ type: 'audio', media: { url: 'https://example.com/note.mp3', caption: 'Voice note from the mechanic' } });
    expect(connector.render(m).rendering).toMatchObject({ form: 'degraded', parts: 2 });
    const [a, t] = await sent(m);
    expectRequest(a, envelope({ type: 'audio', audio: { link: 'https://example.com/note.mp3' } }));
    expectRequest(t, envelope({ type: 'text', text: { preview_url: false, body: 'Voice note from the mechanic' } }));
  });

  it('document with filename and caption', async () => {
    const [r] = await sent(msg({ type: 'document', media: { url: 'https://example.com/bp.pdf', filename: 'boarding-pass.pdf', caption: 'Your boarding pass' } }));
    expectRequest(r, envelope({ type: 'document', document: { link: 'https://example.com/bp.pdf', caption: 'Your boarding pass', filename: 'boarding-pass.pdf' } }));
  });

  it('sticker by id', async () => {
    const [r] = await sent(msg({ type: 'sticker', media: { id: '798882015472548' } }));
    expectRequest(r, envelope({ type: 'sticker', sticker: { id: '798882015472548' } }));
  });

  it('a caption over 1,024 characters is sent as text after the media', async () => {
    const caption = 'c'.repeat(1025);
    const [i, t] = await sent(msg({ type: 'image', media: { id: '1', caption } }));
    expectRequest(i, envelope({ type: 'image', image: { id: '1' } }));
    expectRequest(t, envelope({ type: 'text', text: { preview_url: false, body: caption } }));
  });

  it('location', async () => {
    const [r] = await sent(msg({ type: 'location', latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1, München' }));
    expectRequest(r, envelope({ type: 'location', location: { latitude: 48.1372, longitude: 11.5756, name: 'Workshop', address: 'Marienplatz 1, München' } }));
  });

  it('contacts', async () => {
    const [r] = await sent(msg({
      type: 'contacts',
      contacts: [{ name: 'Service Desk Munich', phones: [{ phone: '+4989123456', type: 'WORK' }], emails: [{ email: 'desk@example.com' }], organization: 'Example Motors' }],
    }));
    expectRequest(r, envelope({
      type: 'contacts',
      contacts: [{
        name: { formatted_name: 'Service Desk Munich', first_name: 'Service', last_name: 'Desk Munich' },
        phones: [{ phone: '+4989123456', type: 'WORK' }], emails: [{ email: 'desk@example.com' }], org: { company: 'Example Motors' },
      }],
    }));
  });

  it('reaction', async () => {
    const [r] = await sent(msg({ type: 'reaction', emoji: '👍', target: 'wamid.IN' }));
    expectRequest(r, envelope({ type: 'reaction', reaction: { message_id: 'wamid.IN', emoji: '👍' } }));
  });

  it('a reply choice is degraded to its title as text', async () => {
    const m = msg({ type: 'reply', id: 'yes', title: 'Yes' });
    expect(connector.render(m).rendering?.form).toBe('degraded');
    const [r] = await sent(m);
    expectRequest(r, envelope({ type: 'text', text: { preview_url: false, body: 'Yes' } }));
  });

  it('interactive reply buttons with header and footer', async () => {
    const [r] = await sent(msg({
      type: 'interactive', header: 'Your car', body: 'Is there anything else?', footer: 'Example Motors',
      buttons: [{ id: 'status', title: 'Car status' }, { id: 'agent', title: 'Talk to a person' }],
    }));
    expectRequest(r, envelope({
      type: 'interactive',
      interactive: {
        type: 'button', header: { type: 'text', text: 'Your car' }, body: { text: 'Is there anything else?' }, footer: { text: 'Example Motors' },
        action: { buttons: [{ type: 'reply', reply: { id: 'status', title: 'Car status' } }, { type: 'reply', reply: { id: 'agent', title: 'Talk to a person' } }] },
      },
    }));
  });

  it('quick replies become reply buttons', async () => {
    const [r] = await sent(msg({ type: 'interactive', body: 'Ready?', quickReplies: [{ id: 'y', title: 'Yes' }, { id: 'n', title: 'No' }] }));
    expectRequest(r, envelope({
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Ready?' }, action: { buttons: [{ type: 'reply', reply: { id: 'y', title: 'Yes' } }, { type: 'reply', reply: { id: 'n', title: 'No' } }] } },
    }));
  });

  it('four to ten buttons are degraded to a list message', async () => {
    const buttons = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => ({ id: d.toLowerCase(), title: d }));
    const m = msg({ type: 'interactive', body: 'Which day?', buttons });
    expect(connector.render(m).rendering).toMatchObject({ form: 'degraded', parts: 1 });
    const [r] = await sent(m);
    expectRequest(r, envelope({
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Which day?' }, action: { button: 'Options', sections: [{ rows: buttons.map((b) => ({ id: b.id, title: b.title })) }] } },
    }));
  });

  it('list with sections', async () => {
    const [r] = await sent(msg({
      type: 'interactive', body: 'Pick a slot', footer: 'Times are local',
      list: { button: 'Slots', sections: [
        { title: 'Morning', rows: [{ id: 'm9', title: '9:00', description: 'Fastest service' }, { id: 'm11', title: '11:00' }] },
        { title: 'Afternoon', rows: [{ id: 'a15', title: '15:00' }] },
      ] },
    }));
    expectRequest(r, envelope({
      type: 'interactive',
      interactive: {
        type: 'list', body: { text: 'Pick a slot' }, footer: { text: 'Times are local' },
        action: { button: 'Slots', sections: [
          { title: 'Morning', rows: [{ id: 'm9', title: '9:00', description: 'Fastest service' }, { id: 'm11', title: '11:00' }] },
          { title: 'Afternoon', rows: [{ id: 'a15', title: '15:00' }] },
        ] },
      },
    }));
  });

  it('one URL button becomes a cta_url message', async () => {
    const [r] = await sent(msg({ type: 'interactive', body: 'Track your order', buttons: [{ id: 'track', title: 'Track', url: 'https://example.com/t/42' }] }));
    expectRequest(r, envelope({
      type: 'interactive',
      interactive: { type: 'cta_url', body: { text: 'Track your order' }, action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://example.com/t/42' } } },
    }));
  });

  it('template with header media, positional and named body parameters and button parameters', async () => {
    fake.seedTemplate({
      name: 'boarding_pass', language: 'de', category: 'UTILITY', status: 'APPROVED',
      components: [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Flug {{1}}: {{name}}' }],
    });
    const [r] = await sent(msg({
      type: 'template', name: 'boarding_pass', language: 'de', category: 'utility',
      parameters: [
        { component: 'header', media: { kind: 'document', url: 'https://example.com/bp.pdf', filename: 'bp.pdf' } },
        { text: 'LH 2040' },
        { name: 'name', text: 'Ada' },
        { component: 'button', index: 0, text: 'CHECKED_IN' },
        { component: 'button', index: 1, name: 'url', text: 'bp/42' },
      ],
    }));
    expectRequest(r, envelope({
      type: 'template',
      template: {
        name: 'boarding_pass', language: { code: 'de' },
        components: [
          { type: 'header', parameters: [{ type: 'document', document: { link: 'https://example.com/bp.pdf', filename: 'bp.pdf' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'LH 2040' }, { type: 'text', parameter_name: 'name', text: 'Ada' }] },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'CHECKED_IN' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'bp/42' }] },
        ],
      },
    }));
  });

  it('template without parameters has no components', async () => {
    const [r] = await sent(msg({ type: 'template', name: 'hello_world', language: 'en_US', category: 'utility' }));
    expectRequest(r, envelope({ type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } }));
  });

  it('rich content with fallback text is degraded to text', async () => {
    const m = msg({ type: 'rich', kind: 'carousel', payload: {}, fallbackText: 'See our menu.' });
    expect(connector.render(m).rendering?.form).toBe('degraded');
    const [r] = await sent(m);
    expectRequest(r, envelope({ type: 'text', text: { preview_url: false, body: 'See our menu.' } }));
  });
});

describe('render refuses what WhatsApp would refuse, before any request', () => {
  const cases: [string, Content, string][] = [
    ['eleven buttons', { type: 'interactive', body: 'Pick', buttons: Array.from({ length: 11 }, (_, i) => ({ id: `b${i}`, title: `B${i}` })) }, 'CONTENT_INVALID'],
    ['a button title over 20 characters', { type: 'interactive', body: 'Pick', buttons: [{ id: 'a', title: 'This title is far too long' }] }, 'CONTENT_INVALID'],
    ['a list of 11 rows', { type: 'interactive', body: 'Pick', list: { button: 'Open', sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` })) }] } }, 'CONTENT_INVALID'],
    ['a list with buttons', { type: 'interactive', body: 'Pick', buttons: [{ id: 'a', title: 'A' }], list: { button: 'Open', sections: [{ rows: [{ id: 'r', title: 'R' }] }] } }, 'CONTENT_INVALID'],
    ['a multi-section list without section titles', { type: 'interactive', body: 'Pick', list: { button: 'Open', sections: [{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }] } }, 'CONTENT_INVALID'],
    ['an interactive body over 1,024 characters', { type: 'interactive', body: 'x'.repeat(1025), buttons: [{ id: 'a', title: 'A' }] }, 'CONTENT_INVALID'],
    ['a URL button beside reply buttons', { type: 'interactive', body: 'Pick', buttons: [{ id: 'a', title: 'A', url: 'https://example.com' }, { id: 'b', title: 'B' }] }, 'CONTENT_INVALID'],
    ['media without id or link', { type: 'image', media: { caption: 'lost' } }, 'CONTENT_INVALID'],
    ['empty text', { type: 'text', text: '' }, 'CONTENT_INVALID'],
    ['rich content without fallback text', { type: 'rich', kind: 'payment', payload: {} }, 'CONTENT_UNSUPPORTED'],
    ['a template header with a sticker', { type: 'template', name: 't', language: 'en', category: 'utility', parameters: [{ component: 'header', media: { kind: 'sticker', id: '1' } }] }, 'CONTENT_INVALID'],
  ];
  for (const [name, content, code] of cases) {
    it(`${name} → ${code}`, async () => {
      expect(() => connector.render(msg(content))).toThrow(expect.objectContaining({ code }));
      await expect(connector.send(msg(content))).rejects.toMatchObject({ code });
      expect(fake.requests).toHaveLength(0);
    });
  }
});
