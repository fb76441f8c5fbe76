import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANNELS_MD, FIRST_PARTY_PLUGINS, renderChannelTable, sourcesAnchor } from './channel-table.js';

const REGENERATE = 'docs/channels.md is out of date with the plugins\' declared policy and capabilities: run `npm run build && npx tsx docs/scripts/channel-table.ts` (or `npm run docs`) and commit docs/channels.md';

/** The cells of a markdown table row, unescaped pipes only. */
const cells = (line: string): string[] => line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());

describe('the generated channel table (docs/channels.md)', () => {
  const rendered = renderChannelTable(FIRST_PARTY_PLUGINS);
  const lines = rendered.split('\n');

  it('is byte for byte what the plugins declare today', () => {
    const committed = readFileSync(CHANNELS_MD, 'utf8');
    if (committed !== rendered) {
      const at = [...committed].findIndex((ch, i) => ch !== rendered[i]);
      const line = committed.slice(0, at).split('\n').length;
      expect.fail(`${REGENERATE} (first difference on line ${line})`);
    }
    expect(committed).toBe(rendered);
  });

  it('gives each channel a row that names its service window, what may go outside it, and its sources', () => {
    const header = lines.findIndex((l) => l.startsWith('| channel | who may start | service window |'));
    expect(header, 'the "At a glance" table is missing').toBeGreaterThan(0);
    const columns = cells(lines[header]!);
    for (const plugin of FIRST_PARTY_PLUGINS) {
      const row = lines.find((l) => l.startsWith(`| ${plugin.displayName} (\`${plugin.channel}\`) |`));
      expect(row, `no row for ${plugin.channel}`).toBeDefined();
      const byColumn = Object.fromEntries(cells(row!).map((c, i) => [columns[i], c]));
      const { serviceWindowHours, entryPointWindowHours, outsideWindow } = plugin.policy;
      if (serviceWindowHours === undefined) {
        expect(byColumn['service window']).toBe('none');
        expect(byColumn['outside the window']).toBe('no window');
      } else {
        expect(byColumn['service window']).toMatch(new RegExp(`^${serviceWindowHours} h`));
        if (entryPointWindowHours !== undefined) expect(byColumn['service window']).toContain('after a click-to-ad entry');
        for (const category of outsideWindow?.templateCategories ?? []) expect(byColumn['outside the window']).toContain(category);
        for (const tag of outsideWindow?.tags ?? []) expect(byColumn['outside the window']).toContain(`\`${tag.tag}\``);
      }
      for (const purpose of plugin.policy.consentRequiredFor) expect(byColumn['opt-in required for']).toContain(purpose);
      expect(byColumn.sources).toBe(`[${plugin.policy.sources.length} source${plugin.policy.sources.length === 1 ? '' : 's'}](#${sourcesAnchor(plugin.channel)})`);
    }
  });

  it('lists every documented source under its own channel, where the row links to', () => {
    const anchors = FIRST_PARTY_PLUGINS.map((p) => rendered.indexOf(`<a id="${sourcesAnchor(p.channel)}"></a>`));
    anchors.forEach((at, i) => expect(at, `no sources anchor for ${FIRST_PARTY_PLUGINS[i]!.channel}`).toBeGreaterThan(0));
    FIRST_PARTY_PLUGINS.forEach((plugin, i) => {
      const section = rendered.slice(anchors[i], anchors[i + 1] ?? rendered.length);
      for (const source of plugin.policy.sources) {
        const link = source.url.trim().split(/\s/)[0]!;
        expect(section, `${plugin.channel}: ${source.rule}`).toContain(`- \`${source.rule}\`: <${link}>`);
      }
      if (plugin.policy.pricing) expect(section).toContain('- price schedule: ');
    });
  });

  it('keeps the detail table\'s rate limits and tags readable', () => {
    expect(rendered).toContain('80 per 1 s per account, paced');
    expect(rendered).toContain('250 unique recipients per 1 d, refused beyond it');
    expect(rendered).toContain('100 per 1 h per recipient who has not replied, refused beyond it');
    expect(rendered).toContain('tag `HUMAN_AGENT` (≤ 7 days after the customer\'s last message, agent only, for service)');
    expect(rendered).toMatch(/^\| service window \| 24 h \| 24 h \| none \| none \| none \|$/m);
  });

  it('changes when a declared rule changes', () => {
    const [first, ...rest] = FIRST_PARTY_PLUGINS;
    const tightened = { ...first!, policy: { ...first!.policy, serviceWindowHours: 12 } };
    const changed = renderChannelTable([tightened, ...rest]);
    expect(changed).not.toBe(rendered);
    expect(changed).toMatch(/^\| service window \| 12 h \|/m);
  });

  it('is deterministic and free of dates of its own', () => {
    expect(renderChannelTable(FIRST_PARTY_PLUGINS)).toBe(rendered);
    expect(rendered.slice(0, rendered.indexOf('## At a glance'))).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});
