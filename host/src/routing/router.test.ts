import { describe, expect, it } from 'vitest';
import { canReachHuman, pickRoute, ruleMatches } from './router.js';

const input = { channel: 'whatsapp', account: 'main', text: 'I want to talk to an Agent please', tags: ['vip'] };

describe('routing rules', () => {
  it('matches channel, account, whole-word keywords, patterns and tags', () => {
    expect(ruleMatches(undefined, input)).toBe(true);
    expect(ruleMatches({ channel: ['telegram', 'whatsapp'], account: 'main' }, input)).toBe(true);
    expect(ruleMatches({ channel: 'telegram' }, input)).toBe(false);
    expect(ruleMatches({ keyword: ['agent', 'human'] }, input)).toBe(true);
    expect(ruleMatches({ keyword: 'age' }, input)).toBe(false);
    expect(ruleMatches({ pattern: 'talk\\s+to' }, input)).toBe(true);
    expect(ruleMatches({ tag: 'vip' }, input)).toBe(true);
    expect(ruleMatches({ tag: 'new' }, input)).toBe(false);
    expect(ruleMatches({ keyword: 'agent' }, { ...input, text: undefined })).toBe(false);
  });

  it('picks the first matching rule', () => {
    const rules = [{ match: { keyword: 'refund' }, to: { queue: 'billing' } }, { match: { keyword: 'agent' }, to: { queue: 'support' } }, { to: { bot: 'faq' } }];
    expect(pickRoute(rules, input)).toEqual({ queue: 'support' });
    expect(pickRoute(rules, { ...input, text: 'hello' })).toEqual({ bot: 'faq' });
    expect(pickRoute([], input)).toBeUndefined();
  });

  it('knows whether a channel account can reach a human', () => {
    const tenant = { id: 't', apiKeys: [] };
    expect(canReachHuman(tenant, 'apple', 'main')).toBe(false);
    expect(canReachHuman({ ...tenant, routing: { escalationQueue: 'support' } }, 'apple', 'main')).toBe(true);
    expect(canReachHuman({ ...tenant, routing: { rules: [{ match: { channel: 'whatsapp' }, to: { queue: 'q' } }] } }, 'apple', 'main')).toBe(false);
    expect(canReachHuman({ ...tenant, routing: { rules: [{ match: { channel: 'apple' }, to: { queue: 'q' } }] } }, 'apple', 'main')).toBe(true);
  });
});
