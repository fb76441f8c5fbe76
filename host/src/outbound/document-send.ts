/**
 * Sending a generated document: a request names a document template and the message's data instead
 * of a content; the outbound service renders the PDF for the recipient (their name, locale and time
 * zone, the host clock's now), stores it in the media store (origin `generated`) and sends it as a
 * `document` message naming the stored file — through the policy engine, the outbox and the
 * connector's upload like any other file. See `documents/README.md`.
 * @module
 */
import type { Contact } from '@switchboard/core';
import { SendDocumentRequestSchema } from '../api/schemas.js';
import { parseInput, RequestValidationError } from '../api/validation.js';
import { documentContactOf, type DocumentContactInput, type DocumentTemplates } from '../documents/document-template.js';
import { documentFonts } from '../documents/pdf-layout.js';
import type { MediaStore } from '../media/media-store.js';
import type { SendRequest } from './send-request.js';

/** The document of a {@link DocumentSendRequest}. */
export interface DocumentRequest {
  /** A template the host knows (`boarding-pass`, `order-receipt`, or one given in `HostOptions.documents`). */
  template: string;
  /** The message's data, as the template's schema describes it (checked when it is rendered). */
  data: Record<string, unknown>;
  /** Shown with the document. */
  caption?: string;
  /** The locale where the contact's profile has none (BCP 47); default `en`. */
  locale?: string;
  /** The time zone where the contact's profile has none (IANA); default the tenant's, else UTC. */
  timeZone?: string;
}

/** A request to render a document and send it: a {@link SendRequest} with `document` in place of `content`. */
export type DocumentSendRequest = Omit<SendRequest, 'content'> & { document: DocumentRequest };

/** What the outbound service needs to send generated documents. */
export interface OutboundDocuments {
  /** The templates the host knows. */
  templates: DocumentTemplates;
  /** Where the rendered PDF is kept (and removed again when the message is not queued). */
  store: Pick<MediaStore, 'put' | 'delete'>;
}

/**
 * Validates a document send against {@link SendDocumentRequestSchema}.
 * @param input - parsed JSON (with its target named: `channel`, `accountId`, and `userId` or `conversationId`)
 * @returns the request: only what the schema declares (empty optional strings left out)
 * @throws RequestValidationError (VALIDATION_FAILED) naming every bad field
 */
export function parseDocumentSendRequest(input: unknown): DocumentSendRequest {
  const b = parseInput(SendDocumentRequestSchema, input);
  return {
    channel: b.channel, accountId: b.accountId, purpose: b.purpose, sender: b.sender,
    document: {
      template: b.document.template, data: b.document.data, ...(b.document.caption ? { caption: b.document.caption } : {}),
      ...(b.document.locale ? { locale: b.document.locale } : {}), ...(b.document.timeZone ? { timeZone: b.document.timeZone } : {}),
    },
    ...(b.userId ? { userId: b.userId } : {}), ...(b.conversationId ? { conversationId: b.conversationId } : {}),
    ...(b.topic ? { topic: b.topic } : {}), ...(b.tag ? { tag: b.tag } : {}),
    ...(b.replyTo ? { replyTo: b.replyTo } : {}), ...(b.commerceCategory ? { commerceCategory: b.commerceCategory } : {}),
  };
}

/**
 * The contact data a document is rendered with, from the stored contact: {@link documentContactOf},
 * without a name the document font cannot print (a contact whose profile name is in a script the font
 * lacks gets a document without their name, rather than a refusal the sender cannot fix).
 * @param contact - the recipient's stored contact (a new recipient's has an empty profile)
 * @returns what `renderDocument` takes as `contact`
 */
export async function printableDocumentContact(contact: Pick<Contact, 'profile'>): Promise<DocumentContactInput> {
  const { name, ...rest } = documentContactOf(contact);
  if (name === undefined) return rest;
  const fonts = await documentFonts();
  const printable = [...name].every((ch) => /\s/u.test(ch) || fonts.covers(ch.codePointAt(0)!));
  return printable ? { name, ...rest } : rest;
}

/**
 * A rendering's problems as fields of the request: `data.seat` becomes `document.data.seat`.
 * @param error - what `renderDocument` threw
 * @returns the same problems under `document`
 */
export function documentProblems(error: RequestValidationError): RequestValidationError {
  return new RequestValidationError(error.problems.map((p) => ({ ...p, field: `document.${p.field}` })));
}
