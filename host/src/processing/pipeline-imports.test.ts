import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The inbound path reads one step per file, each step importing only what comes after it:
 * worker → dispatcher → handlers → (party resolver, inbox consent, hooks) → routing's port.
 * Processing and routing do not import each other's modules.
 */
const SRC = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sources(path);
    return d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The host files a source imports, relative to `host/src` (without extension). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => relative(SRC, resolve(dirname(file), m[1]!)).replace(/\.js$/, '').split('\\').join('/'));
}

const graph = new Map(sources(SRC).map((f) => [relative(SRC, f).replace(/\.ts$/, '').split('\\').join('/'), importsOf(f)]));
const importing = (from: (f: string) => boolean, to: (i: string) => boolean): string[] =>
  [...graph].filter(([f]) => from(f)).flatMap(([f, imports]) => imports.filter(to).map((i) => `${f} → ${i}`));

describe('the inbound pipeline\'s imports', () => {
  it('reads the imports it checks (a step imports the next)', () => {
    expect(graph.get('processing/inbox-processor')).toEqual(expect.arrayContaining(['processing/inbox-worker', 'processing/inbound-dispatcher', 'processing/handlers/message-handler']));
    expect(graph.get('processing/handlers/message-handler')).toEqual(expect.arrayContaining(['processing/inbound-router', 'processing/party-resolver']));
  });

  it('has processing import nothing of routing, and routing nothing of processing', () => {
    expect(importing((f) => f.startsWith('processing/'), (i) => i.startsWith('routing/'))).toEqual([]);
    expect(importing((f) => f.startsWith('routing/'), (i) => i.startsWith('processing/'))).toEqual([]);
  });

  it('has no step reach back up: handlers know neither the dispatcher nor the worker, the dispatcher no handler, the worker neither', () => {
    const up = ['processing/inbox-processor', 'processing/inbox-worker', 'processing/inbound-dispatcher'];
    expect(importing((f) => f.startsWith('processing/handlers/'), (i) => up.includes(i))).toEqual([]);
    expect(importing((f) => f === 'processing/inbound-dispatcher', (i) => i.startsWith('processing/handlers/') || up.includes(i))).toEqual([]);
    expect(importing((f) => f === 'processing/inbox-worker', (i) => i.startsWith('processing/') && i !== 'processing/not-yet-error')).toEqual([]);
    const steps = ['processing/party-resolver', 'processing/inbox-consent', 'processing/consent-hooks', 'processing/inbound-router'];
    expect(importing((f) => steps.includes(f), (i) => i.startsWith('processing/handlers/') || up.includes(i))).toEqual([]);
  });
});
