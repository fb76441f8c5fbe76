import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEARCH_OFFSET_MAX, SEARCH_PAGE_MAX, SEARCH_TEXT_MAX, SearchQuerySchema } from './search-schemas.js';

describe('SearchQuerySchema', () => {
  it('accepts a plain query and converts its numbers and dates', () => {
    expect(SearchQuerySchema.parse({ q: 'brake pads', limit: '5', offset: '10', from: '2026-06-01', to: '2026-06-02T12:00:00Z', status: 'open' })).toEqual({
      q: 'brake pads', limit: 5, offset: 10, from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-02T12:00:00Z'), status: 'open',
    });
  });

  it('refuses unknown keys, a missing or blank q, and out-of-range pages, listing every problem', () => {
    const r = SearchQuerySchema.safeParse({ q: ' ', limit: '0', offset: `${SEARCH_OFFSET_MAX + 1}`, sort: 'x' });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.') || i.code).sort();
    expect(paths).toEqual(['limit', 'offset', 'q', 'unrecognized_keys']);
  });

  it('property: never throws, and what it accepts is within its bounds', () => {
    const value = fc.oneof(fc.string({ maxLength: 260 }), fc.integer().map(String), fc.constantFrom('', ' ', '2026-06-01', 'open', '-1', '1e3'), fc.array(fc.string(), { maxLength: 2 }), fc.constant(undefined));
    const keys = fc.constantFrom('q', 'channel', 'status', 'queue', 'agentId', 'from', 'to', 'limit', 'offset', 'other', '__proto__');
    fc.assert(fc.property(fc.dictionary(keys, value), (query) => {
      const r = SearchQuerySchema.safeParse(query);
      if (!r.success) return;
      expect(r.data.q.trim().length).toBeGreaterThan(0);
      expect(r.data.q.length).toBeLessThanOrEqual(SEARCH_TEXT_MAX);
      if (r.data.limit !== undefined) expect(r.data.limit >= 1 && r.data.limit <= SEARCH_PAGE_MAX).toBe(true);
      if (r.data.offset !== undefined) expect(r.data.offset >= 0 && r.data.offset <= SEARCH_OFFSET_MAX).toBe(true);
      if (r.data.from && r.data.to) expect(r.data.to.getTime()).toBeGreaterThan(r.data.from.getTime());
    }), { numRuns: 500 });
  });
});
