/**
 * Facts about the Viber REST Bot API the connector and its fake share: endpoints, limits, the
 * documented status codes, and lossless handling of `message_token` (a 64-bit integer that
 * `JSON.parse` would round).
 * @module
 */
import { SwitchboardError } from '@switchboard/core';

/** The production API base. */
export const VIBER_API_BASE_URL = 'https://chatapi.viber.com/pa';

/** Header carrying the bot's auth token on every API request. */
export const VIBER_AUTH_HEADER = 'X-Viber-Auth-Token';
/** Header carrying the callback signature (hex HMAC-SHA256 of the body, keyed with the auth token). */
export const VIBER_SIGNATURE_HEADER = 'X-Viber-Content-Signature';

/** Documented limits (creators.viber.com data models, send-message and broadcast-message pages). */
export const VIBER_LIMITS = {
  /** `text` of a text message. */
  text: 7000,
  /** `text` of a picture message (the description shown under it). */
  pictureText: 120,
  /** `sender.name`. */
  senderName: 28,
  /** `tracking_data`. */
  trackingData: 4000,
  /** Recipients per `broadcast_message` call. */
  broadcastList: 300,
  /** `contact.name`. */
  contactName: 28,
  /** `contact.phone_number`. */
  contactPhone: 18,
  /** `file_name` of a file message. */
  fileName: 256,
  /** Bytes of a picture. */
  pictureBytes: 1_000_000,
  /** Bytes of a video. */
  videoBytes: 26_000_000,
  /** Bytes of a file. */
  fileBytes: 50_000_000,
  /** Buttons of one keyboard (our own cap: the keyboard scrolls, but more than this is unusable). */
  keyboardButtons: 24,
  /** Items (columns groups) of one rich media carousel. */
  richMediaItems: 6,
  /** Rows of one rich media item. */
  richMediaRows: 7,
  /** Button label length. */
  buttonText: 250,
  /** JSON size of one request. */
  requestBytes: 30_000,
  /** Messages to one user within an hour without a reply. */
  perUserWithoutReply: 100,
  /** broadcast_message calls per 10 s. */
  broadcastRequestsPer10s: 500,
} as const;

/**
 * Media rules of the REST Bot API (developers.viber.com/docs/api/rest-bot-api, send_message and
 * the message callback): a picture's URL ends in a .jpeg, .png or .gif file (we also take .jpg);
 * a video's in .mp4 (MP4/H264 only); a file message needs `size` and a `file_name` with its
 * extension, and some formats are forbidden; the `media` URL of a customer's picture, video or file
 * "will have a TTL of 1 hour" and cannot be asked for again.
 */
export const VIBER_MEDIA = {
  /** Extensions a picture URL's last path segment may end with. */
  pictureExtensions: ['jpg', 'jpeg', 'png', 'gif'],
  /** Extensions a video URL's last path segment may end with. */
  videoExtensions: ['mp4'],
  /**
   * File name extensions Viber refuses for file messages: the executables and scripts of the
   * forbidden-formats list the REST API page links from the file message (our subset of it).
   */
  forbiddenFileExtensions: [
    'ade', 'adp', 'app', 'asp', 'bas', 'bat', 'cer', 'chm', 'cmd', 'com', 'cpl', 'crt', 'csh', 'der', 'exe', 'fxp', 'gadget', 'hlp',
    'hta', 'inf', 'ins', 'isp', 'its', 'js', 'jse', 'ksh', 'lnk', 'mad', 'maf', 'mag', 'mam', 'maq', 'mar', 'mas', 'mat', 'mau', 'mav',
    'maw', 'mda', 'mdb', 'mde', 'mdt', 'mdw', 'mdz', 'msc', 'msh', 'msh1', 'msh2', 'mshxml', 'msh1xml', 'msh2xml', 'msi', 'msp', 'mst',
    'ops', 'pcd', 'pif', 'plg', 'prf', 'prg', 'pst', 'reg', 'scf', 'scr', 'sct', 'shb', 'shs', 'ps1', 'ps1xml', 'ps2', 'ps2xml', 'psc1',
    'psc2', 'tmp', 'url', 'vb', 'vbe', 'vbs', 'vsmacros', 'vsw', 'ws', 'wsc', 'wsf', 'wsh', 'xnk',
  ],
  /** How long the media URL of a customer's message works. */
  inboundLinkTtlMs: 3_600_000,
} as const;

/**
 * The extension of a URL's last path segment, or of a file name, lower-cased.
 * @param urlOrName - an absolute URL or a file name
 * @returns the extension without its dot, or '' when there is none
 */
export function extensionOf(urlOrName: string): string {
  let path = urlOrName;
  try { path = new URL(urlOrName).pathname; } catch { /* a file name */ }
  const last = path.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  return dot > 0 || (dot === 0 && last.length > 1) ? last.slice(dot + 1).toLowerCase() : '';
}

/** The documented `status` values of API answers (creators.viber.com/docs/bots-api/errors). */
export const VIBER_STATUS = {
  0: 'ok',
  1: 'invalidUrl',
  2: 'invalidAuthToken',
  3: 'badData',
  4: 'missingData',
  5: 'receiverNotRegistered',
  6: 'receiverNotSubscribed',
  7: 'publicAccountBlocked',
  8: 'publicAccountNotFound',
  9: 'publicAccountSuspended',
  10: 'webhookNotSet',
  11: 'receiverNoSuitableDevice',
  12: 'tooManyRequests',
  13: 'apiVersionNotSupported',
  14: 'incompatibleWithVersion',
  15: 'publicAccountNotAuthorized',
  16: 'inchatReplyMessageNotAllowed',
  17: 'publicAccountIsNotInline',
  18: 'noPublicChat',
  19: 'cannotSendBroadcast',
  20: 'broadcastNotAllowed',
  21: 'unsupportedCountry',
  22: 'paymentUnsupported',
  23: 'freeMessagesExceeded',
  24: 'noBalance',
} as const satisfies Record<number, string>;

/**
 * Viber answered HTTP 200 with a non-zero `status`: the request failed. `classify` maps it.
 */
export class ViberStatusError extends SwitchboardError {
  /** The documented status number. */
  readonly status: number;
  /** Viber's `status_message`. */
  readonly statusMessage: string;
  /** The whole answer. */
  readonly body: unknown;
  /**
   * @param status - the `status` field
   * @param statusMessage - the `status_message` field
   * @param body - the answer
   */
  constructor(status: number, statusMessage: string, body: unknown) {
    super('PROVIDER_REJECTED', `Viber answered status ${status} (${statusMessage})`, false, { details: { status, statusMessage } });
    this.status = status;
    this.statusMessage = statusMessage;
    this.body = body;
  }
}

// A JSON string cannot hold an unescaped quote, so `"message_token":` followed by digits only
// matches a key (never text inside a value).
const TOKEN_NUMBER = /("message_token"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;
const TOKEN_STRING = /("message_token"\s*:\s*)"(-?\d+)"/g;

/**
 * Rewrites numeric `message_token` values as strings, so parsing keeps every digit.
 * @param json - JSON text as Viber sends it
 * @returns the same JSON with `"message_token":"<digits>"`
 */
export function quoteMessageTokens(json: string): string {
  return json.replace(TOKEN_NUMBER, '$1"$2"');
}

/**
 * Serialises a value with `message_token` written as a bare JSON number, as Viber writes it.
 * @param value - the body; tokens are given as digit strings
 * @returns JSON text
 */
export function stringifyWithNumericTokens(value: unknown): string {
  return JSON.stringify(value).replace(TOKEN_STRING, '$1$2');
}

/**
 * A fetch that hands `executeProviderRequest` answers whose `message_token` is a string, so the
 * external id of a sent message matches the token of its delivery receipts digit for digit.
 * @param inner - the fetch to wrap
 * @returns a fetch with the same behaviour apart from the rewritten body
 */
export function losslessTokenFetch(inner: typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    // answers that may not carry a body are passed through untouched
    if ([101, 204, 205, 304].includes(response.status)) return response;
    const text = await response.text();
    return new Response(quoteMessageTokens(text), { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
