import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNELS_MD, FIRST_PARTY_PLUGINS, renderChannelTable } from './channel-table.js';

describe('the generated channel table (docs/channels.md)', () => {
  const rendered = renderChannelTable(FIRST_PARTY_PLUGINS);

  it('is what the plugins declare today (run `npm run docs` after changing a policy or capability)', () => {
    const committed = readFileSync(CHANNELS_MD, 'utf8');
    expect(committed === rendered, 'docs/channels.md is out of date: run `npm run docs` (or `npm run build && npx tsx docs/scripts/channel-table.ts`)').toBe(true);
  });

  it('shows each channel\'s window, limits and every documented source', () => {
    for (const plugin of FIRST_PARTY_PLUGINS) {
      expect(rendered).toContain(`(\`${plugin.channel}\`)`);
      for (const source of plugin.policy.sources) expect(rendered).toContain(source.url);
    }
    expect(rendered).toMatch(/\| service window \| 24 h \| 24 h \| none \| none \| none \|/);
    expect(rendered).toContain('80 per 1 s per account, paced');
    expect(rendered).toContain('tag HUMAN_AGENT (≤ 7 days after the customer, agent only)');
  });

  it('changes when a declared rule changes', () => {
    const [first, ...rest] = FIRST_PARTY_PLUGINS;
    const tightened = { ...first!, policy: { ...first!.policy, serviceWindowHours: 12 } };
    expect(renderChannelTable([tightened, ...rest])).not.toBe(rendered);
    expect(renderChannelTable([tightened, ...rest])).toMatch(/\| service window \| 12 h \|/);
  });
});
