/**
 * Webhook bodies shaped like the samples of Meta's Messenger webhook reference
 * (developers.facebook.com/docs/messenger-platform/reference/webhook-events/*), with concrete ids.
 */
import { createHmac } from 'node:crypto';

export const PAGE_ID = '104000000000001';
export const PSID = '6543210987654321';
export const APP_SECRET = 'sandbox-messenger-app-secret';
export const TS = 1_458_692_752_478;

/** Signs raw bytes as Meta does. */
export function sign(body: Buffer, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const page = (...messaging: object[]): object => ({ object: 'page', entry: [{ id: PAGE_ID, time: TS + 100, messaging }] });
const fromUser = { sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: TS };

export const textMessage = page({ ...fromUser, message: { mid: 'mid.1457764197618:41d102a3e1ae206a38', text: 'hello, world!' } });

export const quickReplyMessage = page({
  ...fromUser, message: { mid: 'm_quick_1', text: 'Red', quick_reply: { payload: 'COLOR_RED' } },
});

export const replyMessage = page({
  ...fromUser, message: { mid: 'm_1457764197618:41d102a3e1ae206a38', text: 'hello, world!', reply_to: { mid: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU', is_self_reply: false } },
});

export const imageMessage = page({ ...fromUser, message: { mid: 'mid.$cAAJdkrCd2ORnva8ErFhjGm0X_Q_c', attachments: [{ type: 'image', payload: { url: 'https://scontent.xx.fbcdn.net/v/photo.jpg' } }] } });
export const videoMessage = page({ ...fromUser, message: { mid: 'm_video_1', attachments: [{ type: 'video', payload: { url: 'https://video.xx.fbcdn.net/v/clip.mp4' } }] } });
export const audioMessage = page({ ...fromUser, message: { mid: 'm_audio_1', attachments: [{ type: 'audio', payload: { url: 'https://cdn.fbsbx.com/v/audioclip.mp4' } }] } });
export const fileMessage = page({ ...fromUser, message: { mid: 'm_file_1', attachments: [{ type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/invoice.pdf' } }] } });
export const stickerMessage = page({ ...fromUser, message: { mid: 'm_sticker_1', attachments: [{ type: 'image', payload: { url: 'https://scontent.xx.fbcdn.net/v/like.png', sticker_id: 369239263222822 } }] } });
export const locationMessage = page({
  ...fromUser, message: { mid: 'm_location_1', attachments: [{ type: 'location', title: 'Workshop', url: 'https://l.facebook.com/l.php?u=maps', payload: { coordinates: { lat: 48.1372, long: 11.5756 } } }] },
});
export const fallbackMessage = page({
  ...fromUser, message: { mid: 'm_fallback_1', attachments: [{ type: 'fallback', title: 'Opening hours', URL: 'https://example.com/hours', payload: null }] },
});
export const templateMessage = page({
  ...fromUser,
  message: {
    mid: 'm_template_1',
    attachments: [{ type: 'template', title: 'Welcome!', payload: { template_type: 'generic', elements: [{ title: 'Welcome!', subtitle: 'We have the right hat for everyone.' }] } }],
  },
});
export const twoImagesMessage = page({
  ...fromUser,
  message: { mid: 'm_two_1', attachments: [{ type: 'image', payload: { url: 'https://cdn.example/a.jpg' } }, { type: 'image', payload: { url: 'https://cdn.example/b.jpg' } }] },
});
export const reelMessage = page({ ...fromUser, message: { mid: 'm_reel_1', attachments: [{ type: 'ig_reel', payload: { reel_video_id: 123, url: 'https://cdn.example/reel.mp4' } }] } });

export const echoMessage = page({
  sender: { id: PAGE_ID }, recipient: { id: PSID }, timestamp: 1_457_764_197_627,
  message: { is_echo: true, app_id: 1517776481860111, metadata: 'DEVELOPER_DEFINED_METADATA_STRING', mid: 'mid.1457764197618:41d102a3e1ae206a38', text: 'hello, world!' },
});

export const postback = page({ ...fromUser, postback: { mid: 'm_postback_1', title: 'Talk to a person', payload: 'AGENT' } });
export const postbackWithReferral = page({
  ...fromUser, postback: { title: 'Get Started', payload: 'GET_STARTED', referral: { ref: 'summer-promo', source: 'SHORTLINK', type: 'OPEN_THREAD' } },
});

// message_deliveries: Meta's sample carries no timestamp; the watermark is the time
export const delivery = page({
  sender: { id: PSID }, recipient: { id: PAGE_ID },
  delivery: { mids: ['mid.1458668856218:ed81099e15d3f4f233', 'mid.1458668856218:ed81099e15d3f4f234'], watermark: 1_458_668_856_253 },
});
export const deliveryWatermarkOnly = page({ sender: { id: PSID }, recipient: { id: PAGE_ID }, delivery: { watermark: 1_458_668_856_253 } });
export const read = page({ ...fromUser, timestamp: 1_458_668_856_463, read: { watermark: 1_458_668_856_253 } });

const optinBase = {
  type: 'notification_messages', payload: 'flight-updates', notification_messages_token: 'nmt_7843901',
  notification_messages_timezone: 'Europe/Berlin', token_expiry_timestamp: 1_474_444_800_000, user_token_status: 'NOT_REFRESHED', title: 'Flight updates',
};
export const notificationOptin = page({ ...fromUser, optin: optinBase });
export const notificationStop = page({ ...fromUser, optin: { ...optinBase, notification_messages_status: 'STOP_NOTIFICATIONS' } });
export const notificationResume = page({ ...fromUser, optin: { ...optinBase, notification_messages_status: 'RESUME_NOTIFICATIONS' } });
export const oneTimeNotification = page({ ...fromUser, optin: { type: 'one_time_notif_req', payload: 'order-42', one_time_notif_token: 'otn_1', title: 'Back in stock' } });
export const sendToMessengerOptin = page({ ...fromUser, optin: { ref: 'checkout-page' } });

export const referral = page({ ...fromUser, referral: { ref: 'workshop-flyer', source: 'SHORTLINK', type: 'OPEN_THREAD' } });
export const adReferral = page({ ...fromUser, referral: { ref: 'spring-sale', ad_id: '6045246247433', source: 'ADS', type: 'OPEN_THREAD' } });

export const reaction = page({ ...fromUser, reaction: { reaction: 'love', emoji: '\u2764\uFE0F', action: 'react', mid: 'm_outbound_1' } });
export const messageEdit = page({ ...fromUser, message_edit: { mid: 'm_edit_1', text: 'hello, world (edited)', num_edit: 1 } });

export const handover = page({ ...fromUser, pass_thread_control: { new_owner_app_id: '123456789', metadata: 'handover' } });
export const instagramObject = { object: 'instagram', entry: [] };

export const twoEntries = {
  object: 'page',
  entry: [
    { id: PAGE_ID, time: TS, messaging: [{ ...fromUser, message: { mid: 'm_a', text: 'first' } }] },
    { id: PAGE_ID, time: TS, messaging: [{ ...fromUser, message: { mid: 'm_b', text: 'second' } }, { ...fromUser, read: { watermark: TS } }] },
  ],
};
