import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, contentToText, degradeInteractiveToText, interactiveOptions, isMediaContent, renderTemplateText, type Content } from '../index.js';

describe('contentToText', () => {
  const cases: [Content, string][] = [
    [{ type: 'text', text: 'Hello' }, 'Hello'],
    [{ type: 'image', media: { url: 'https://x/a.jpg', caption: 'Your car' } }, 'Your car\nhttps://x/a.jpg'],
    [{ type: 'document', media: { id: 'm1', filename: 'invoice.pdf' } }, 'invoice.pdf'],
    [{ type: 'sticker', media: { id: 's1' } }, '[sticker]'],
    [{ type: 'location', latitude: 52.52, longitude: 13.405, name: 'Workshop', address: 'Main St 1' }, 'Workshop\nMain St 1\n52.52,13.405'],
    [{ type: 'location', latitude: 0, longitude: 0 }, '0,0'],
    [{ type: 'contacts', contacts: [{ name: 'Anna', phones: [{ phone: '+4915112345678' }] }, { name: 'Ben' }] }, 'Anna +4915112345678\nBen'],
    [{ type: 'reply', id: 'yes', title: 'Yes please' }, 'Yes please'],
    [{ type: 'reaction', emoji: '👍', target: 'wamid.1' }, '👍'],
    [{ type: 'rich', kind: 'carousel', payload: {} }, '[carousel]'],
    [{ type: 'rich', kind: 'list-picker', payload: {}, fallbackText: 'Pick a slot' }, 'Pick a slot'],
  ];
  it.each(cases)('%j', (content, expected) => {
    expect(contentToText(content)).toBe(expected);
  });
  it('delegates interactive and template content', () => {
    expect(contentToText({ type: 'interactive', body: 'Pick', buttons: [{ id: 'a', title: 'A' }] })).toBe('Pick\n1. A');
    expect(contentToText({ type: 'template', name: 'hello', language: 'en', category: 'utility' })).toBe('hello');
  });
});

describe('degradeInteractiveToText', () => {
  it('numbers buttons, then list rows, then quick replies, between header, body and footer', () => {
    const text = degradeInteractiveToText({
      type: 'interactive', header: 'Workshop', body: 'When can you come?', footer: 'Reply with a number',
      buttons: [{ id: 'mon', title: 'Monday' }],
      list: { button: 'Slots', sections: [{ title: 'Tue', rows: [{ id: 't9', title: 'Tue 9:00' }, { id: 't10', title: 'Tue 10:00' }] }] },
      quickReplies: [{ id: 'no', title: 'Not this week' }],
    });
    expect(text).toBe('Workshop\nWhen can you come?\n1. Monday\n2. Tue 9:00\n3. Tue 10:00\n4. Not this week\nReply with a number');
  });
  it('is just the body without options', () => {
    expect(degradeInteractiveToText({ type: 'interactive', body: 'Hi' })).toBe('Hi');
  });
  it('interactiveOptions flattens in the same order', () => {
    expect(interactiveOptions({ type: 'interactive', body: '', quickReplies: [{ id: 'q', title: 'Q' }], buttons: [{ id: 'b', title: 'B' }] }).map((o) => o.id)).toEqual(['b', 'q']);
  });
});

describe('renderTemplateText', () => {
  it('fills positional placeholders from body parameters', () => {
    expect(renderTemplateText({
      type: 'template', name: 'gate_change', language: 'en_US', category: 'utility', fallbackText: 'Flight {{1}} boards at gate {{2}}.',
      parameters: [{ component: 'header', text: 'IGNORED' }, { text: 'LH 1234' }, { component: 'body', text: 'B42' }],
    })).toBe('Flight LH 1234 boards at gate B42.');
  });
  it('fills named placeholders and tolerates spaces', () => {
    expect(renderTemplateText({
      type: 'template', name: 'order', language: 'en', category: 'utility', fallbackText: 'Hi {{ name }}, order {{order_id}} is ready.',
      parameters: [{ name: 'order_id', text: '42' }, { name: 'name', text: 'Anna' }],
    })).toBe('Hi Anna, order 42 is ready.');
  });
  it('leaves a placeholder without a parameter as it is', () => {
    expect(renderTemplateText({ type: 'template', name: 't', language: 'en', category: 'utility', fallbackText: 'A {{1}} B {{2}}', parameters: [{ text: 'x' }] })).toBe('A x B {{2}}');
  });
  it('without fallback text: the name and the body parameters', () => {
    expect(renderTemplateText({ type: 'template', name: 'gate_change', language: 'en', category: 'utility', parameters: [{ text: 'LH 1' }, { component: 'button', index: 0, text: 'url' }] })).toBe('gate_change LH 1');
  });
});

describe('content types', () => {
  it('lists every kind once, and isMediaContent recognises the media kinds', () => {
    expect(new Set(CONTENT_TYPES).size).toBe(CONTENT_TYPES.length);
    expect(CONTENT_TYPES).toHaveLength(13);
    expect(isMediaContent({ type: 'video', media: { id: 'v' } })).toBe(true);
    expect(isMediaContent({ type: 'text', text: 'x' })).toBe(false);
  });
});
