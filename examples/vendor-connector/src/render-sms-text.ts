/**
 * Turns channel-neutral content into the one thing SMS carries: text.
 * @module
 */
import {
  ContentInvalidError, ContentUnsupportedError, interactiveOptions, renderTemplateText, type Content,
} from '@switchboard/core';
import { ACME_LIMITS } from './acme-api.js';

/** Content rendered as SMS text. */
export interface SmsText {
  text: string;
  /** `native` for text, `degraded` for everything turned into text. */
  form: 'native' | 'degraded';
  /** How it was degraded, when it was. */
  note?: string;
}

/** The line after a degraded choice list, telling the customer how to answer. */
export const CHOICE_PROMPT = 'Reply with the number of your choice.';

/**
 * Renders content as SMS text.
 * @param content - what to send
 * @returns the text and whether it was degraded
 * @throws ContentUnsupportedError for media, reactions and rich content without fallback text
 * @throws ContentInvalidError when the text is empty or longer than 1,600 characters
 */
export function renderSmsText(content: Content): SmsText {
  const rendered = toText(content);
  if (rendered.text.trim() === '') throw new ContentInvalidError(`${content.type} content renders as an empty SMS`);
  if (rendered.text.length > ACME_LIMITS.textMaxLength) {
    throw new ContentInvalidError(`SMS text is ${rendered.text.length} characters; the Acme gateway accepts at most ${ACME_LIMITS.textMaxLength} (shorten it: SMS text is refused, not split, so parts never arrive out of order)`);
  }
  return rendered;
}

function toText(content: Content): SmsText {
  switch (content.type) {
    case 'text':
      return { text: content.text, form: 'native' };
    case 'image': case 'video': case 'audio': case 'document': case 'sticker':
      throw new ContentUnsupportedError(`${content.type}: the Acme SMS gateway sends no MMS; send a text with a link instead`);
    case 'reaction':
      throw new ContentUnsupportedError('reaction: SMS has no reactions');
    case 'location': {
      const lines = [content.name, content.address, `https://maps.google.com/?q=${content.latitude},${content.longitude}`];
      return { text: lines.filter((l): l is string => Boolean(l)).join('\n'), form: 'degraded', note: 'location as text with a map link' };
    }
    case 'contacts': {
      const lines = content.contacts.map((c) => [
        c.name, ...(c.organization ? [`(${c.organization})`] : []),
        ...(c.phones ?? []).map((p) => p.phone), ...(c.emails ?? []).map((e) => e.email),
      ].join(' '));
      return { text: lines.join('\n'), form: 'degraded', note: 'contact cards as text' };
    }
    case 'reply':
      return { text: content.title, form: 'degraded', note: 'reply as its title' };
    case 'interactive': {
      const options = interactiveOptions(content);
      const lines = [content.header, content.body].filter((l): l is string => Boolean(l));
      options.forEach((o, i) => lines.push(`${i + 1}. ${o.title}`));
      if (options.length > 0) lines.push(CHOICE_PROMPT);
      if (content.footer) lines.push(content.footer);
      return { text: lines.join('\n'), form: 'degraded', note: 'options as a numbered list' };
    }
    case 'template':
      return { text: renderTemplateText(content), form: 'degraded', note: `template ${content.name} as its fallback text` };
    case 'rich':
      if (content.fallbackText === undefined || content.fallbackText.trim() === '') {
        throw new ContentUnsupportedError(`rich ${content.kind}: SMS can only send its fallbackText, and none was given`);
      }
      return { text: content.fallbackText, form: 'degraded', note: `rich ${content.kind} as its fallback text` };
  }
}
