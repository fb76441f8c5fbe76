/**
 * Messenger's User Profile API: a customer's name by page-scoped id, since Messenger webhooks carry
 * none (`GET {apiBaseUrl}/{apiVersion}/{PSID}?fields=name,first_name,last_name`, page token).
 * @module
 */
import { isObject, type PlatformProfile, type ProviderRequest } from '@switchboard/core';
import type { MessengerConfig } from './config.js';
import { graphErrorOf } from './classify-graph-error.js';

/** The profile fields asked for: the ones every app may read for a person who messaged its Page. */
export const USER_PROFILE_FIELDS = ['name', 'first_name', 'last_name'] as const;

/**
 * Graph answers for a person who has no profile the Page may read: 2018218 "No profile available
 * for this user" (an account made with a phone number) and 100 with subcode 33 (no such object, or
 * no permission for it).
 */
const NO_PROFILE = (code: number | undefined, subcode: number | undefined): boolean => code === 2018218 || (code === 100 && subcode === 33);

/**
 * The User Profile API request for a customer (pure).
 * @param config - the Page's config
 * @param psid - the customer's page-scoped id
 * @returns the GET request
 */
export function userProfileRequest(config: MessengerConfig, psid: string): ProviderRequest {
  return {
    method: 'GET',
    url: `${config.apiBaseUrl}/${config.apiVersion}/${encodeURIComponent(psid)}?fields=${USER_PROFILE_FIELDS.join(',')}`,
    headers: { authorization: `Bearer ${config.pageAccessToken}` },
  };
}

/**
 * Reads a User Profile API answer.
 * @param body - the parsed JSON answer
 * @returns the name (`name`, else first and last name joined), or `{}` when the answer has none
 */
export function profileOf(body: unknown): PlatformProfile {
  if (!isObject(body)) return {};
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (name !== '') return { name };
  const parts = [body.first_name, body.last_name].filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim());
  return parts.length > 0 ? { name: parts.join(' ') } : {};
}

/**
 * Whether a Graph error answer means the person has no readable profile (not a failure to retry).
 * @param body - the error answer's parsed body
 */
export function isNoProfileAnswer(body: unknown): boolean {
  const e = graphErrorOf(body);
  return e !== undefined && NO_PROFILE(e.code, e.error_subcode);
}
