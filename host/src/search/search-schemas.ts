/**
 * The schemas of inbox search (`GET /v1/search`, `GET /console/api/search`): the closed query, and
 * the answer as the OpenAPI document describes it.
 * @module
 */
import { z } from 'zod';
import { ConversationSchema, MessageSchema } from '../api/response-schemas.js';
import { isoDate, LIMITS } from '../api/schemas.js';

/** The longest search text. */
export const SEARCH_TEXT_MAX = 200;
/** The most hits of one page. */
export const SEARCH_PAGE_MAX = 100;
/** Hits of a page when `limit` is not given. */
export const SEARCH_PAGE_DEFAULT = 20;
/** The furthest a search pages (`offset`). */
export const SEARCH_OFFSET_MAX = 10_000;

const bounded = (max: number) => z.string().max(max).refine((s) => s.trim() !== '', 'must not be empty');
const intString = (min: number, max: number) => z.string()
  .regex(/^\d{1,9}$/, 'must be a non-negative integer')
  .transform(Number)
  .refine((n) => n >= min && n <= max, `must be from ${min} to ${max}`);

/**
 * A search's query string: `q` (1–200 characters), the filters, and the page. Unknown parameters are
 * refused. `from`/`to` bound the messages' time (the conversations' last update for conversation hits).
 */
export const SearchQuerySchema = z.strictObject({
  q: bounded(SEARCH_TEXT_MAX).meta({ description: 'Words of messages or of a contact\'s name, a phone number or address (digits as typed, partial), a tag or a CRM reference' }),
  channel: bounded(64).optional(),
  status: z.enum(['open', 'pending', 'resolved']).optional(),
  queue: bounded(64).optional(),
  agentId: bounded(LIMITS.id).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  limit: intString(1, SEARCH_PAGE_MAX).optional(),
  offset: intString(0, SEARCH_OFFSET_MAX).optional(),
}).superRefine((q, ctx) => {
  if (q.from instanceof Date && q.to instanceof Date && q.to.getTime() <= q.from.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
});

/** What matched, and the `[start, end)` ranges of the matching words in `text` (offsets, not markup). */
export const SearchMatchSchema = z.object({
  field: z.enum(['message', 'contactName', 'address', 'tag', 'crmRef']),
  path: z.string().optional(),
  text: z.string(),
  hits: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});

/** One hit: the conversation, its contact, and the message for a message hit. */
export const SearchHitSchema = z.object({
  conversation: ConversationSchema,
  contact: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  message: MessageSchema.optional(),
  matches: z.array(SearchMatchSchema),
});

/** A page of hits; `nextOffset` when there are more. */
export const SearchPageSchema = z.object({
  items: z.array(SearchHitSchema),
  nextOffset: z.number().int().optional(),
});
