import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The consent service is the ledger's one writer and its one derivation of state: production code
 * elsewhere in the host must not append to the ledger, publish on `consent$`, or derive consent
 * state itself. Tests and fixtures may (they seed ledgers).
 */
const SRC = fileURLToPath(new URL('..', import.meta.url));
const SERVICE = ['consent', 'consent-service.ts'].join(sep);

const RULES = [
  { what: 'appends to the consent ledger', pattern: /\bconsent\s*\.\s*append\s*\(/ },
  { what: 'publishes on consent$', pattern: /\bconsent\$\s*\.\s*next\s*\(/ },
  { what: 'derives consent state', pattern: /\bderiveConsentState\s*\(/ },
] as const;

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === '__fixtures__' || d.name === 'node_modules' ? [] : productionFiles(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `file: what` for every rule a file breaks (comments included: a commented-out write is still a smell). */
function offences(file: string, text: string): string[] {
  return RULES.filter((r) => r.pattern.test(text)).map((r) => `${file}: ${r.what}`);
}

describe('the consent service is the ledger\'s only writer', () => {
  const files = productionFiles(SRC).map((path) => ({ file: relative(SRC, path), text: readFileSync(path, 'utf8') }));

  it('finds the service itself doing all three (the scan sees what it looks for)', () => {
    const service = files.find((f) => f.file === SERVICE);
    expect(service, `${SERVICE} under ${SRC}`).toBeDefined();
    expect(offences(service!.file, service!.text)).toHaveLength(RULES.length);
    expect(files.length).toBeGreaterThan(50);
  });

  it('recognises the forms the writes took before the service', () => {
    const before = [
      'await this.deps.stores.consent.append(consentEntry);',
      'this.deps.streams.consent$.next({ tenantId, entry });',
      'const state = deriveConsentState(ledger, { channel });',
    ].join('\n');
    expect(offences('example.ts', before)).toHaveLength(3);
    expect(offences('example.ts', 'await consent.record(entry); consentStateOn(ledger, channel, terms);')).toEqual([]);
  });

  it('has no other production file append to the ledger, publish consent$ or derive consent state', () => {
    const found = files.filter((f) => f.file !== SERVICE).flatMap((f) => offences(f.file, f.text));
    expect(found).toEqual([]);
  });
});
