// @ts-check
/**
 * Saved replies with variables: the reply box inserts a saved reply rendered for the
 * conversation's contact (`{{contact.name}}`, `{{contact.attributes.x}}`, the CRM's fields) by
 * the host; what could not be filled stays in the text, and the agent is told which.
 */
import { call } from './api.js';

/**
 * A saved reply's text for a conversation, rendered by the host (the reply as written when the
 * host cannot be asked).
 * @param {string} conversationId
 * @param {{ id: string, text: string }} reply
 * @returns {Promise<{ text: string, note?: string }>}
 */
export async function renderedSavedReply(conversationId, reply) {
  try {
    /** @type {{ text: string, missing: string[] }} */
    const r = await call(`/conversations/${encodeURIComponent(conversationId)}/saved-replies/${encodeURIComponent(reply.id)}`);
    return r.missing.length ? { text: r.text, note: `Fill in before sending: ${r.missing.join(', ')}` } : { text: r.text };
  } catch {
    return { text: reply.text, note: 'The variables could not be filled in' };
  }
}
