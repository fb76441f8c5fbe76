/**
 * The `payload` shapes of rich content this connector renders, and Apple's constants.
 * @module
 */

/** The bundle id of Apple's own interactive-message extension. */
export const APPLE_BID = 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.icloud.apps.messages.business.extension';

/** Tokens Apple sends in `capability-list` (common-specs). Apple Pay and rich links need none. */
export type AppleCapabilityToken = 'QUICK' | 'LIST' | 'TIME' | 'AUTH' | 'AUTH2' | 'FORM';

/** The text of the received/reply bubble of an interactive message. */
export interface AppleBubble {
  title: string;
  subtitle?: string;
  imageIdentifier?: string;
  style?: 'icon' | 'small' | 'large';
}

/** An image referenced by `imageIdentifier`. */
export interface AppleImage {
  identifier: string;
  /** Base64 image data. */
  data: string;
}

/** `rich` kind `list-picker`. */
export interface AppleListPickerPayload {
  received: AppleBubble;
  reply?: AppleBubble;
  sections: {
    title?: string;
    multipleSelection?: boolean;
    items: { id: string; title: string; subtitle?: string; imageIdentifier?: string }[];
  }[];
  images?: AppleImage[];
}

/** `rich` kind `time-picker`. */
export interface AppleTimePickerPayload {
  received: AppleBubble;
  reply?: AppleBubble;
  event: {
    identifier?: string;
    title: string;
    /** Minutes from UTC of the business's location. */
    timezoneOffset?: number;
    location?: { latitude: number; longitude: number; radius?: number; title?: string };
    /** `startTime` as ISO 8601, `duration` in seconds. */
    timeslots: { id: string; startTime: string; duration: number }[];
  };
  images?: AppleImage[];
}

/** `rich` kind `payment`: Apple's payment dictionary (paymentRequest, endpoints, merchantName…) passed through. */
export interface ApplePayPayload {
  received: AppleBubble;
  reply?: AppleBubble;
  payment: Record<string, unknown>;
  images?: AppleImage[];
}

/** `rich` kind `auth`: an OAuth 2 authentication request. */
export interface AppleAuthPayload {
  received: AppleBubble;
  reply?: AppleBubble;
  oauth2: { responseType: string; scope: string[]; state: string; responseEncryptionKey?: string; clientSecret?: string };
  images?: AppleImage[];
}

/** `rich` kind `form`: Apple's form definition (`splash`, `pages`, `startPageIdentifier`…) passed through. */
export interface AppleFormPayload {
  received: AppleBubble;
  reply?: AppleBubble;
  form: Record<string, unknown>;
  images?: AppleImage[];
}

/** `rich` kind `rich-link`. */
export interface AppleRichLinkPayload {
  url: string;
  title: string;
  image?: { data: string; mimeType: string };
  video?: { url: string; mimeType: string };
}

/** An attachment descriptor as Apple sends and expects it in `attachments`. */
export interface AppleAttachmentDescriptor {
  name: string;
  mimeType: string;
  /** Size of the encrypted file in bytes (Apple sends a string or a number). */
  size: number | string;
  /** MMCS URL of the encrypted file. */
  url: string;
  /** MMCS owner. */
  owner: string;
  /** `00` + hex AES-256 key. */
  key: string;
  /** File checksum, Base64 (on outbound descriptors and some inbound ones). */
  'signature-base64'?: string;
  /** File checksum, hex (on some inbound descriptors). */
  signature?: string;
}

/** Apple's reference to interactive data over 10 KB. */
export interface AppleInteractiveDataRef {
  url: string;
  owner: string;
  key: string;
  size: number | string;
  bid: string;
  title?: string;
  'signature-base64'?: string;
  signature?: string;
}
