/**
 * Generates `docs/channels.md`: every first-party channel's declared policy, capability table,
 * pricing and documentation sources, read from the plugins themselves so the documentation cannot
 * drift from the code (`docs/scripts/channel-table.test.ts` fails when the committed file differs
 * from what this renders). Run by `npm run docs`, or alone:
 * `npm run build && npx tsx docs/scripts/channel-table.ts` — outside vitest `@switchboard/*`
 * resolves to each package's `dist/`, so the build must come first.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Capability, CapabilityTable, ChannelPolicy, ConnectorPlugin, ContentType, RateLimit } from '@switchboard/core';
import apple from '@switchboard/apple';
import messenger from '@switchboard/messenger';
import telegram from '@switchboard/telegram';
import viber from '@switchboard/viber';
import whatsapp from '@switchboard/whatsapp';

/** The first-party plugins, in the order the tables show them. */
export const FIRST_PARTY_PLUGINS: readonly ConnectorPlugin[] = [whatsapp, messenger, telegram, viber, apple];

/** Where the generated table lives. */
export const CHANNELS_MD = fileURLToPath(new URL('../channels.md', import.meta.url));

// a table cell must stay on one line and must not end the cell early
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

function hours(h: number | undefined): string {
  if (h === undefined) return 'none';
  return h % 24 === 0 && h >= 48 ? `${h / 24} days` : `${h} h`;
}

const number = (n: number): string => n.toLocaleString('en-US');

const SCOPE: Record<RateLimit['scope'], string> = {
  account: 'per account',
  recipient: 'per recipient',
  group: 'per group chat',
  'recipient-without-reply': 'per recipient who has not replied',
  'unique-recipients-per-day': '',
};

function rateLimit(l: RateLimit): string {
  const what = l.contentTypes ? ` (${l.contentTypes.join(', ')})` : '';
  const how = l.enforcement === 'pace' ? 'paced' : 'refused beyond it';
  if (l.scope === 'unique-recipients-per-day') return `${number(l.limit)} unique recipients per ${duration(l.perMs)}${what}, ${how}`;
  return `${number(l.limit)} per ${duration(l.perMs)} ${SCOPE[l.scope]}${what}, ${how}`;
}

/**
 * The service window as one phrase: its length and the longer one after a click-to-ad entry.
 * @param p - a channel policy
 * @returns e.g. `24 h (3 days after a click-to-ad entry)` or `none`
 */
export function windowText(p: ChannelPolicy): string {
  if (p.serviceWindowHours === undefined) return 'none';
  const entry = p.entryPointWindowHours === undefined ? '' : ` (${hours(p.entryPointWindowHours)} after a click-to-ad entry)`;
  return `${hours(p.serviceWindowHours)}${entry}`;
}

function outsideWindow(p: ChannelPolicy): string {
  if (p.serviceWindowHours === undefined) return 'no window';
  const parts: string[] = [];
  if (p.outsideWindow?.templateCategories?.length) parts.push(`approved templates (${p.outsideWindow.templateCategories.join(', ')})`);
  for (const t of p.outsideWindow?.tags ?? []) {
    const limits = [
      t.maxHoursSinceInbound !== undefined ? `≤ ${hours(t.maxHoursSinceInbound)} after the customer's last message` : '',
      t.senders ? `${t.senders.join('/')} only` : '',
      t.purposes ? `for ${t.purposes.join(', ')}` : '',
    ].filter(Boolean).join(', ');
    parts.push(`tag \`${t.tag}\`${limits ? ` (${limits})` : ''}`);
  }
  return parts.length ? parts.join('; ') : 'nothing';
}

function initiation(p: ChannelPolicy): string {
  return ({ business: 'the business', template: 'the business, with an approved template', user: 'the customer only' } as const)[p.initiation];
}

function consent(p: ChannelPolicy): string {
  return p.consentRequiredFor.length ? p.consentRequiredFor.join(', ') : 'nothing (the GDPR baseline still requires it for marketing)';
}

function broadcast(p: ChannelPolicy): string {
  if (!p.broadcast.allowed) return 'not allowed';
  const n = p.broadcast.maxRecipientsPerRequest;
  if (n === undefined) return 'allowed';
  return n === 1 ? 'allowed, one recipient per request' : `allowed, ≤ ${number(n)} recipients per request`;
}

function pricing(p: ChannelPolicy): string {
  const schedule = p.pricing;
  if (!schedule) return 'no price schedule declared';
  const charged = [...new Set(schedule.entries.filter((e) => e.amount > 0).map((e) => e.category))];
  if (charged.length === 0) return 'nothing';
  const markets = [...new Set(schedule.entries.map((e) => e.market ?? 'default'))].length;
  return `${charged.join(', ')} (${schedule.currency}; ${markets === 1 ? 'one market' : `${markets} markets`}, rates by date; indicative)`;
}

function capabilityOf(entry: CapabilityTable[ContentType]): { support: Capability; note?: string } {
  return typeof entry === 'string' ? { support: entry } : entry;
}

const MARK: Record<Capability, string> = { native: '✔ native', degraded: '≈ degraded', unsupported: '✘' };

/** A source's `url` may carry a remark after the address: the link is the part before the first space. */
function source(url: string): string {
  const [, link = url, remark] = /^(\S+)(?:\s+(.+))?$/.exec(url.trim()) ?? [];
  return remark ? `<${link}> ${remark}` : `<${link}>`;
}

/**
 * The anchor of a channel's sources section, which its summary row links to.
 * @param channel - a channel id
 * @returns the anchor name, without `#`
 */
export const sourcesAnchor = (channel: string): string => `sources-${channel}`;

/**
 * Renders the markdown for a set of plugins (deterministic: no dates, stable order).
 * @param plugins - connector plugins
 * @returns the whole `docs/channels.md`
 */
export function renderChannelTable(plugins: readonly ConnectorPlugin[]): string {
  const out: string[] = [];
  out.push('# Channels: declared policy and capabilities', '');
  out.push('<!-- Generated by docs/scripts/channel-table.ts from the connector plugins. Do not edit: run `npm run docs`. -->', '');
  out.push('Every row is read from a plugin\'s `policy` (a `ChannelPolicy`), `capabilities` (a `CapabilityTable`) and',
    'price schedule. The host enforces the most restrictive of these, the tenant\'s business policy, the GDPR',
    'baseline and the customer\'s consent; `POST /v1/policy/evaluate` shows the decision for a message with every',
    'reason and the source that imposed it. A vendor\'s connector declares the same data',
    '([vendor guide](vendor-guide.md)).', '');

  out.push('## At a glance', '');
  out.push('| channel | who may start | service window | outside the window | opt-in required for | rate limits | sources |');
  out.push('|---|---|---|---|---|---|---|');
  for (const p of plugins) {
    const pol = p.policy;
    const limits = pol.rateLimits.length ? pol.rateLimits.map(rateLimit).join('; ') : 'none declared';
    const sources = `[${pol.sources.length} source${pol.sources.length === 1 ? '' : 's'}](#${sourcesAnchor(p.channel)})`;
    out.push(`| ${cell(`${p.displayName} (\`${p.channel}\`)`)} | ${[initiation(pol), windowText(pol), outsideWindow(pol), consent(pol), limits, sources].map(cell).join(' | ')} |`);
  }
  out.push('');

  out.push('## Policy in detail', '');
  out.push('| | ' + plugins.map((p) => cell(p.displayName)).join(' | ') + ' |');
  out.push('|---|' + plugins.map(() => '---|').join(''));
  const row = (label: string, value: (p: ChannelPolicy) => string): void => {
    out.push(`| ${label} | ${plugins.map((p) => cell(value(p.policy))).join(' | ')} |`);
  };
  row('who may start', initiation);
  row('service window', (p) => hours(p.serviceWindowHours));
  row('after a click-to-ad entry', (p) => (p.entryPointWindowHours === undefined ? '—' : hours(p.entryPointWindowHours)));
  row('outside the window', outsideWindow);
  row('opt-in required for', (p) => (p.consentRequiredFor.length ? p.consentRequiredFor.join(', ') : '—'));
  row('marketing', (p) => (p.marketingAllowed ? `allowed${p.marketingTemplateBlockedCountries?.length ? ` (no marketing templates to ${p.marketingTemplateBlockedCountries.join(', ')} numbers)` : ''}` : 'not allowed'));
  row('broadcast', broadcast);
  row('rate limits', (p) => (p.rateLimits.length ? p.rateLimits.map(rateLimit).join('; ') : '—'));
  row('text', (p) => `≤ ${number(p.text.maxLength)} characters (${p.text.overflow === 'split' ? 'longer text is split' : 'longer text is refused'})${p.text.captionMaxLength ? `; captions ≤ ${number(p.text.captionMaxLength)}` : ''}`);
  row('media', (p) => (p.mediaMaxBytes ? Object.entries(p.mediaMaxBytes).map(([k, v]) => `${k} ≤ ${(v / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`).join(', ') : '—'));
  row('human agent reachable', (p) => (p.requiresHumanEscalation ? 'required (the host refuses an account routed to bots only)' : '—'));
  row('platform opt-out words', (p) => (p.optOutKeywords?.length ? p.optOutKeywords.join(', ') : '—'));
  row('restricted commerce', (p) => (p.restrictedCommerce.length ? p.restrictedCommerce.join(', ') : '—'));
  row('charged per message', pricing);
  out.push('');
  out.push('Rate limits marked *paced* are kept by the dispatcher (messages wait their turn); *refused beyond it* are',
    'checked by the policy engine, which answers `RATE_LIMITED`. What each connector says about its limits:', '');
  for (const p of plugins) {
    for (const l of p.policy.rateLimits) if (l.note) out.push(`- ${p.displayName}, ${rateLimit(l)}: ${cell(l.note)}`);
  }
  out.push('', 'Prices are the connectors\' indicative figures (see each schedule\'s source below): load your contract\'s',
    'rate card for billing.', '');

  out.push('## Capabilities', '');
  out.push('✔ native: the platform has the form. ≈ degraded: rendered another way, as noted (the stored message records',
    'it). ✘: refused with `CONTENT_UNSUPPORTED` before anything is queued.', '');
  const types = [...new Set(plugins.flatMap((p) => Object.keys(p.capabilities)))] as ContentType[];
  out.push('| content | ' + plugins.map((p) => cell(p.displayName)).join(' | ') + ' |');
  out.push('|---|' + plugins.map(() => '---|').join(''));
  const notes: string[] = [];
  for (const type of types) {
    const cells = plugins.map((p) => {
      const entry = p.capabilities[type];
      if (entry === undefined) return '—';
      const c = capabilityOf(entry);
      if (!c.note) return MARK[c.support];
      notes.push(`${p.displayName}, \`${type}\`: ${c.note}`);
      return `${MARK[c.support]} [${notes.length}]`;
    });
    out.push(`| \`${type}\` | ${cells.join(' | ')} |`);
  }
  out.push('');
  notes.forEach((n, i) => out.push(`${i + 1}. ${cell(n)}`));
  out.push('');

  out.push('## Sources', '');
  out.push('Each rule names where it is documented, graded O (official), 3P (third party) or G (our unconfirmed reading).', '');
  for (const p of plugins) {
    out.push(`<a id="${sourcesAnchor(p.channel)}"></a>`, '', `### ${p.displayName}`, '');
    for (const s of p.policy.sources) out.push(`- \`${s.rule}\`: ${cell(source(s.url))}${s.grade ? ` (${s.grade})` : ''}`);
    if (p.policy.pricing) out.push(`- price schedule: ${cell(p.policy.pricing.source)}`);
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CHANNELS_MD, renderChannelTable(FIRST_PARTY_PLUGINS));
  console.log(`wrote ${CHANNELS_MD}`);
}
