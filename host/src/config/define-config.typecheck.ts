/**
 * Type test of {@link defineConfig}, compiled by `tsc -b` (not run): a config an integrator may
 * write type-checks, and each `@ts-expect-error` below fails the build if the mistake under it
 * stops being a type error.
 * @module
 */
import { defineConfig, type HostConfigInput } from './define-config.js';

/** Never called: the checks are the compiler's. */
export function defineConfigTypeChecks(): HostConfigInput[] {
  const ok = defineConfig({
    port: '8080',
    store: { kind: 'sqlite', path: 'data/sb.db' },
    tenants: [{
      id: 'acme',
      apiKeys: [{ env: 'ACME_KEY' }, { key: 'a-key-of-sixteen-chars', scopes: ['read', 'messages:send'] }],
      policy: { quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' }, consentRequiredFor: ['marketing'] },
      routing: { rules: [{ match: { keyword: ['agent', 'human'] }, to: { queue: 'support' } }, { to: { bot: 'greeter' } }] },
    }],
    connectors: [{ package: '@switchboard/telegram', accounts: [{ id: 'main', config: { botToken: { env: 'TG_TOKEN' } } }] }],
    bots: { greeter: async (ctx: { reply(text: string): Promise<unknown> }) => { await ctx.reply('hi'); } },
    media: { scanner: async () => ({ verdict: 'clean' as const }) },
  });
  // @ts-expect-error -- a misspelt top-level key (prot) is not part of the config
  const typo = defineConfig({ prot: 1, tenants: [{ id: 'acme', apiKeys: ['a-key-of-sixteen-chars'] }] });
  // @ts-expect-error -- store.kind is sqlite, memory or mongodb
  const store = defineConfig({ store: { kind: 'redis' }, tenants: [{ id: 'acme', apiKeys: ['a-key-of-sixteen-chars'] }] });
  // @ts-expect-error -- quiet hours take an IANA timeZone, not a fixed offset
  const offset = defineConfig({ tenants: [{ id: 'acme', apiKeys: ['a-key-of-sixteen-chars'], policy: { quietHours: { start: '22:00', end: '07:00', utcOffsetMinutes: 60 } } }] });
  // @ts-expect-error -- tenants are required
  const none = defineConfig({ port: 3000 });
  return [ok, typo, store, offset, none];
}
