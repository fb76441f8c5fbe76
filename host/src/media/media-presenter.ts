/**
 * How the API shows a stored message's media: a file the host stores gets `url`, the host's
 * `/v1/media/:id` (absolute when the config has a `publicUrl`), and the platform's own URL, if any,
 * moves to `sourceUrl` — the platform's id stays in `id`. Apple's decryption key is never answered.
 * @module
 */
import type { MediaRef } from '@switchboard/core';
import type { HostMessage } from '../stores/stores.js';
import type { MediaUrls } from './media-store.js';

const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** A message's media as the API answers it. */
export type PresentedMediaRef = MediaRef & { sourceUrl?: string };

/** A message as the API answers it (the store's bookkeeping left out). */
export type PresentedMessage = Omit<HostMessage, 'mediaPending'>;

/**
 * Presents a message for an API answer.
 * @param message - the stored message
 * @param urls - the host's media URLs
 * @returns the message with its media's `url` pointing at the host's copy (when stored and not quarantined), and
 *   `storeState: pending` while the file is still to be fetched
 */
export function presentMessage(message: HostMessage, urls: Pick<MediaUrls, 'apiUrl'>): PresentedMessage {
  const { mediaPending, ...rest } = message;
  if (!MEDIA_TYPES.has(rest.content.type)) return rest;
  const { encryption, ...media } = (rest.content as { media: MediaRef }).media;
  const shown: PresentedMediaRef = {
    ...media, ...(encryption ? { encryption: { ...encryption, decryptionKey: '[redacted]' } } : {}),
    // a file the fetcher has still to settle: the store keeps that as the message's `mediaPending`
    ...(mediaPending && media.storeState === undefined ? { storeState: 'pending' as const } : {}),
  };
  if (media.storedId !== undefined && media.storeState !== 'quarantined') {
    if (media.url !== undefined) shown.sourceUrl = media.url;
    shown.url = urls.apiUrl(media.storedId);
  }
  return { ...rest, content: { ...rest.content, media: shown } as HostMessage['content'] };
}
