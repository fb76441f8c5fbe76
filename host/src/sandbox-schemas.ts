/**
 * The request schemas of the sandbox routes (`/sandbox/...`), closed and bounded like the API's
 * (see `api/schemas.ts`): validation, types and the OpenAPI entries come from them.
 * @module
 */
import type { FakeInboundEvent, FakeInboundKind, FakeTemplateReview } from '@switchboard/core';
import { z } from 'zod';
import { PAGE_QUERY } from './api/schemas.js';

const userId = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
const name = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const text = z.string().min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters');

/** `POST /sandbox/:channel/messages`: a customer's text message. */
export const SandboxMessageSchema = z.strictObject({ userId, text, name: name.optional() });

/** `POST /sandbox/clock`: minutes to move the sandbox's clock (and every fake platform's) forward. */
export const SandboxClockSchema = z.strictObject({
  advanceMinutes: z.number().finite().min(0, 'must be 0 or more').max(60 * 24 * 366, 'must be at most 527040 (a year)'),
});

/** Every inbound event kind a fake platform may simulate (what the connectors parse). */
export const FAKE_INBOUND_KINDS = ['text', 'media', 'location', 'button', 'subscribe', 'unsubscribe', 'block', 'close', 'capabilities',
  'conversation-started', 'contact', 'sticker', 'url', 'reaction'] as const satisfies readonly FakeInboundKind[];

/** `POST /sandbox/:channel/events`: one inbound event, by kind (the channel's fake says which kinds it simulates). */
export const SandboxEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), userId, text, name: name.optional() }),
  z.strictObject({ kind: z.literal('media'), userId, mediaType: z.enum(['image', 'video', 'audio', 'file']), caption: z.string().max(1024).optional(), name: name.optional() }),
  z.strictObject({ kind: z.literal('location'), userId, latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), name: name.optional() }),
  z.strictObject({ kind: z.literal('button'), userId, payload: z.string().min(1).max(1000), title: z.string().max(1000).optional(), name: name.optional() }),
  z.strictObject({ kind: z.enum(['subscribe', 'unsubscribe', 'block', 'close']), userId, name: name.optional() }),
  z.strictObject({ kind: z.literal('capabilities'), userId, capabilities: z.array(z.string().min(1).max(64)).max(50), name: name.optional() }),
  z.strictObject({ kind: z.literal('conversation-started'), userId, context: z.string().min(1).max(1000).optional(), name: name.optional() }),
  z.strictObject({ kind: z.literal('contact'), userId, contactName: name, phone: z.string().min(1).max(32).optional(), name: name.optional() }),
  z.strictObject({ kind: z.literal('sticker'), userId, stickerId: z.string().min(1).max(256).optional(), name: name.optional() }),
  z.strictObject({ kind: z.literal('url'), userId, url: z.string().url().max(2048), name: name.optional() }),
  z.strictObject({ kind: z.literal('reaction'), userId, emoji: z.string().min(1).max(32), messageId: z.string().min(1).max(256).optional(), name: name.optional() }),
]) satisfies z.ZodType<FakeInboundEvent>;

/** `POST /sandbox/:channel/templates/review`: the platform's review outcome for a submitted template. */
export const SandboxTemplateReviewSchema = z.strictObject({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(16).optional(),
  status: z.enum(['APPROVED', 'REJECTED', 'PAUSED']),
  reason: z.string().max(512).optional(),
}) satisfies z.ZodType<FakeTemplateReview>;

/** `GET /sandbox/:channel/sent`: paging (newest first) and an optional recipient. */
export const SandboxSentQuerySchema = z.strictObject({ ...PAGE_QUERY, userId: userId.optional() });
