/**
 * Request header readers that every route shares, checked by the same schemas the OpenAPI document
 * is generated from.
 */
import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf, RequestValidationError } from './validation.js';

const problem = (headers: Record<string, string | string[]>): unknown => {
  try { idempotencyKeyOf({ headers }); } catch (error) {
    expect(error).toBeInstanceOf(RequestValidationError);
    return (error as RequestValidationError).details;
  }
  return undefined;
};

describe('regression: the Idempotency-Key was read by hand in three routes with two rules (an empty key passed two of them)', () => {
  it('reads a key of 1 to 255 characters, and none when the header is absent', () => {
    expect(idempotencyKeyOf({ headers: { 'idempotency-key': 'order-4711' } })).toBe('order-4711');
    expect(idempotencyKeyOf({ headers: { 'idempotency-key': 'k'.repeat(255) } })).toBe('k'.repeat(255));
    expect(idempotencyKeyOf({ headers: {} })).toBeUndefined();
  });

  it('refuses an empty or too long key with the header named, the same way everywhere', () => {
    const expected = { problems: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 characters' }] };
    expect(problem({ 'idempotency-key': '' })).toMatchObject(expected);
    expect(problem({ 'idempotency-key': 'k'.repeat(256) })).toMatchObject(expected);
  });
});
