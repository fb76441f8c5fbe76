/**
 * The target of a send named by a conversation: `POST /v1/messages` with only `conversationId`
 * sends to that conversation's channel, account and customer.
 * @module
 */
import { NotFoundError } from '../errors.js';
import type { ConversationStore } from '../stores/stores.js';
import type { z } from 'zod';
import { SendRequestBodySchema } from './schemas.js';
import { parseInput } from './validation.js';

/**
 * Checks a send body against {@link SendRequestBodySchema} and fills in the `channel` and
 * `accountId` a `conversationId` names. The conversation is looked up in the caller's tenant only:
 * another tenant's (or an unknown) id is a 404, as every other lookup answers it. A `channel` or
 * `accountId` given beside the conversation is left as given; the send path checks that it is the
 * conversation's.
 * @param body - the parsed JSON body
 * @param tenantId - the caller's tenant
 * @param conversations - where conversations are kept
 * @param schema - the body's schema (default {@link SendRequestBodySchema}; `POST /v1/messages` also takes a `document`)
 * @returns the body with its target named, for `parseSendRequest`
 * @throws RequestValidationError (400) listing every problem; NotFoundError (404) for the conversation
 */
export async function resolveSendTarget(
  body: unknown, tenantId: string, conversations: Pick<ConversationStore, 'get'>,
  schema: z.ZodType<{ channel?: string | undefined; accountId?: string | undefined; conversationId?: string | undefined }> = SendRequestBodySchema,
): Promise<unknown> {
  const b = parseInput(schema, body);
  if (b.channel !== undefined && b.accountId !== undefined) return body;
  // the schema lets channel or accountId be left out only beside a conversationId
  const id = b.conversationId!;
  const conversation = await conversations.get(tenantId, id);
  if (!conversation) throw new NotFoundError('conversation', id);
  return { ...(body as Record<string, unknown>), channel: b.channel ?? conversation.address.channel, accountId: b.accountId ?? conversation.address.accountId };
}
