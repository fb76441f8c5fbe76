/**
 * Applying a `PATCH /v1/contacts/:id` to a contact: a pure function of the contact and the parsed
 * request, run by the store under compare-and-set (so a concurrent change is never lost).
 * @module
 */
import type { Contact } from '@switchboard/core';
import { ValidationError } from '../errors.js';
import type { ContactFields } from '../stores/stores.js';
import { CONTACT_LIMITS, type ContactUpdate } from './contact-schemas.js';

/**
 * The fields to store after an update: `null` clears a field, attributes are merged key by key
 * (`null` removes one), the rest replaces.
 * @param current - the contact as stored
 * @param update - the parsed request
 * @param now - the time of the change
 * @returns the fields to set (`undefined` removes one)
 * @throws ValidationError when the attributes would exceed {@link CONTACT_LIMITS.attributes}
 */
export function applyContactUpdate(current: Contact, update: ContactUpdate, now: Date): ContactFields {
  const profile: Contact['profile'] = { ...current.profile };
  for (const key of ['name', 'locale', 'timeZone'] as const) {
    const v = update[key];
    if (v === null) delete profile[key];
    else if (v !== undefined) profile[key] = v;
  }
  const fields: ContactFields = { profile, updatedAt: now };
  if (update.tags !== undefined) fields.tags = update.tags;
  if (update.crmRef !== undefined) fields.crmRef = update.crmRef === null || update.crmRef === '' ? undefined : update.crmRef;
  if (update.attributes !== undefined) {
    const attributes = { ...current.attributes };
    for (const [k, v] of Object.entries(update.attributes)) {
      if (v === null) delete attributes[k];
      else attributes[k] = v;
    }
    if (Object.keys(attributes).length > CONTACT_LIMITS.attributes) {
      throw new ValidationError('attributes', `a contact keeps at most ${CONTACT_LIMITS.attributes} attributes (it would have ${Object.keys(attributes).length})`);
    }
    fields.attributes = Object.keys(attributes).length ? attributes : undefined;
  }
  return fields;
}
