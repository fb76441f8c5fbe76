/**
 * Channel-neutral message content: a discriminated union on `type`.
 *
 * Every connector renders each kind natively or through a documented degradation and says
 * which in its {@link CapabilityTable}.
 * @module
 */

/** The media kinds a message can carry. */
export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** A reference to media: a platform media id, a URL, or both, plus optional metadata. */
export interface MediaRef {
  /** Platform media id (WhatsApp media id, Telegram file_id, …). */
  id?: string;
  /** Publicly reachable URL of the media. */
  url?: string;
  /** MIME type, e.g. `image/jpeg`. */
  mimeType?: string;
  /** Caption shown with the media. */
  caption?: string;
  /** File name shown for documents. */
  filename?: string;
  /** Size in bytes, when known. */
  size?: number;
  /**
   * What fetching and decrypting the file later takes, when the platform hands it over encrypted
   * in its own storage (Apple's attachments in MMCS): kept as the platform gave them, so a media
   * download can decrypt the file after the webhook is long answered.
   */
  encryption?: MediaEncryption;
  /**
   * Set by the host: the id of the file's bytes in its media store (served at `GET /v1/media/:id`):
   * an inbound file once fetched, an outbound file uploaded with `POST /v1/media` or rendered from
   * a document template. An integrator sends a stored file by giving only this id.
   */
  storedId?: string;
  /**
   * Set by the host on inbound media: `pending` until fetched, then `stored`; `refused` when the
   * file broke a limit (too large, a type not allowed: `storeNote` says which), `quarantined` when
   * the tenant's scanner rejected it (the bytes are kept but never served), `failed` when the
   * platform would not give it (the link expired, retries exhausted).
   */
  storeState?: 'pending' | 'stored' | 'refused' | 'quarantined' | 'failed';
  /** Why the file is not stored or served (with `storeState` `refused`, `quarantined` or `failed`). */
  storeNote?: string;
  /** Hex SHA-256 of the stored bytes (set by the host with `storedId`). */
  sha256?: string;
}

/**
 * An encrypted file's download details (Apple Messages for Business: an attachment's MMCS `owner`,
 * its decryption `key` and its `signature-base64` checksum; the URL and size are the media's).
 * `decryptionKey` is a secret: host logs redact it, and it stays out of data exports.
 */
export interface MediaEncryption {
  /** The decryption key as the platform gives it (Apple: hex, prefixed `00`, AES-256-CTR). */
  decryptionKey: string;
  /** The storage's owner of the file (Apple's MMCS `owner`), needed to ask for a download URL. */
  owner?: string;
  /** The file's checksum signature, as given. */
  signature?: string;
  /** How `signature` is encoded as given (Apple: Base64 on attachments, hex on interactive data references). */
  signatureEncoding?: 'base64' | 'hex';
  /** The cipher, when the platform names one or documents a single one. */
  algorithm?: string;
}

/** A contact card, as shared by a customer or sent by the business. */
export interface ContactCard {
  /** Formatted display name. */
  name: string;
  /** Phone numbers, E.164 where known. */
  phones?: { phone: string; type?: string }[];
  /** E-mail addresses. */
  emails?: { email: string; type?: string }[];
  /** Organisation name. */
  organization?: string;
}

/** A reply button: `id` comes back as a {@link ReplyContent} when the customer taps it. */
export interface Button {
  /** Payload returned when chosen (≤ 256 characters is safe everywhere). */
  id: string;
  /** Label shown to the customer. */
  title: string;
  /** For URL buttons: where the button leads instead of replying. */
  url?: string;
}

/** One row of a list message. */
export interface ListRow {
  /** Payload returned when chosen. */
  id: string;
  /** Row title. */
  title: string;
  /** Optional second line. */
  description?: string;
}

/** A section of a list message. */
export interface ListSection {
  /** Section heading. */
  title?: string;
  /** Rows of the section. */
  rows: ListRow[];
}

/** A list message: a button that opens sections of rows. */
export interface ListSpec {
  /** Label of the button that opens the list. */
  button: string;
  /** Sections; the total number of rows is limited per channel (WhatsApp: 10). */
  sections: ListSection[];
}

/** A positional or named template parameter. */
export interface TemplateParameter {
  /** Which component the parameter belongs to (default `body`). */
  component?: 'header' | 'body' | 'button';
  /** Named parameter, for templates that use names instead of positions. */
  name?: string;
  /** Value as text. */
  text?: string;
  /** Media header parameter. */
  media?: MediaRef & { kind: MediaKind };
  /** For button parameters: the button index. */
  index?: number;
}

/** Template categories, as WhatsApp defines them (other channels map onto these). */
export type TemplateCategory = 'marketing' | 'utility' | 'authentication';

/** Plain text. */
export interface TextContent { type: 'text'; text: string; previewUrl?: boolean }
/** Image, video, audio, document or sticker. */
export interface MediaContent { type: MediaKind; media: MediaRef }
/** A location pin. */
export interface LocationContent { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
/** One or more contact cards. */
export interface ContactsContent { type: 'contacts'; contacts: ContactCard[] }
/** A choice the customer made: a button, list row or quick reply, identified by its payload `id`. */
export interface ReplyContent { type: 'reply'; id: string; title: string }
/** An emoji reaction to the message `target` (an external message id); an empty emoji removes it. */
export interface ReactionContent { type: 'reaction'; emoji: string; target: string }
/** A message with reply buttons, a list, or quick replies. */
export interface InteractiveContent {
  type: 'interactive';
  /** Body text. */
  body: string;
  /** Optional header text. */
  header?: string;
  /** Optional footer text. */
  footer?: string;
  /** Reply buttons (WhatsApp ≤ 3). */
  buttons?: Button[];
  /** A list of sections and rows. */
  list?: ListSpec;
  /** Quick replies (Messenger ≤ 13). */
  quickReplies?: Button[];
}
/** An approved template, by name and language. */
export interface TemplateContent {
  type: 'template';
  name: string;
  /** BCP-47-ish language code as registered with the platform, e.g. `en_US`. */
  language: string;
  category: TemplateCategory;
  parameters?: TemplateParameter[];
  /** The template body with `{{1}}`-style placeholders, used where a channel degrades templates to text. */
  fallbackText?: string;
}
/** Kinds of rich content only some channels render. */
export type RichKind = 'carousel' | 'list-picker' | 'time-picker' | 'payment' | 'form' | 'auth' | 'rich-link';
/** Rich content; `payload` is kind-specific (see each connector's README). */
export interface RichContent { type: 'rich'; kind: RichKind; payload: unknown; fallbackText?: string }

/** The channel-neutral content of a message. */
export type Content =
  | TextContent
  | MediaContent
  | LocationContent
  | ContactsContent
  | ReplyContent
  | ReactionContent
  | InteractiveContent
  | TemplateContent
  | RichContent;

/** Every value of `Content['type']`. */
export type ContentType = Content['type'];

/** All content types, in a stable order (used by capability tables and the conformance kit). */
export const CONTENT_TYPES: readonly ContentType[] = [
  'text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts',
  'reply', 'reaction', 'interactive', 'template', 'rich',
] as const;

/** Every media kind. */
export const MEDIA_KINDS: readonly MediaKind[] = ['image', 'video', 'audio', 'document', 'sticker'] as const;

/**
 * Narrows content to media content.
 * @param content - any content
 * @returns whether `content` is an image, video, audio, document or sticker
 */
export function isMediaContent(content: Content): content is MediaContent {
  return (MEDIA_KINDS as readonly string[]).includes(content.type);
}

/**
 * A short plain-text rendering of any content, for logs, previews, and channels that degrade to text.
 * @param content - the content to describe
 * @returns a human-readable one-paragraph text
 */
export function contentToText(content: Content): string {
  switch (content.type) {
    case 'text': return content.text;
    case 'image': case 'video': case 'audio': case 'document': case 'sticker':
      return [content.media.caption, content.media.url ?? content.media.filename].filter(Boolean).join('\n') || `[${content.type}]`;
    case 'location': return [content.name, content.address, `${content.latitude},${content.longitude}`].filter(Boolean).join('\n');
    case 'contacts': return content.contacts.map((c) => [c.name, ...(c.phones ?? []).map((p) => p.phone)].join(' ')).join('\n');
    case 'reply': return content.title;
    case 'reaction': return content.emoji;
    case 'interactive': return degradeInteractiveToText(content);
    case 'template': return renderTemplateText(content);
    case 'rich': return content.fallbackText ?? `[${content.kind}]`;
  }
}

/**
 * Degrades buttons, lists and quick replies to a numbered text list (the documented degradation
 * for channels without native interactive messages).
 * @param content - interactive content
 * @returns the body followed by one numbered line per option
 * @example
 * degradeInteractiveToText({ type: 'interactive', body: 'Pick one', buttons: [{ id: 'a', title: 'Yes' }] })
 * // 'Pick one\n1. Yes'
 */
export function degradeInteractiveToText(content: InteractiveContent): string {
  const options = interactiveOptions(content);
  const lines = [content.header, content.body].filter((l): l is string => Boolean(l));
  options.forEach((o, i) => lines.push(`${i + 1}. ${o.title}`));
  if (content.footer) lines.push(content.footer);
  return lines.join('\n');
}

/**
 * All choices offered by interactive content, buttons first, then list rows, then quick replies.
 * @param content - interactive content
 * @returns the flattened options
 */
export function interactiveOptions(content: InteractiveContent): { id: string; title: string; description?: string }[] {
  return [
    ...(content.buttons ?? []),
    ...(content.list?.sections.flatMap((s) => s.rows) ?? []),
    ...(content.quickReplies ?? []),
  ];
}

/**
 * Fills a template's `fallbackText` placeholders (`{{1}}` or `{{name}}`) with its body parameters.
 * @param content - template content
 * @returns the text, or the template's name and parameters when it has no fallback text
 */
export function renderTemplateText(content: TemplateContent): string {
  const body = (content.parameters ?? []).filter((p) => (p.component ?? 'body') === 'body');
  if (!content.fallbackText) return [content.name, ...body.map((p) => p.text ?? '')].join(' ').trim();
  let position = 0;
  const positional = body.filter((p) => !p.name);
  return content.fallbackText.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, key: string) => {
    const named = body.find((p) => p.name === key);
    if (named) return named.text ?? '';
    const index = /^\d+$/.test(key) ? Number(key) - 1 : position++;
    return positional[index]?.text ?? whole;
  });
}
