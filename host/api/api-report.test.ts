import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiReports, HOST_API, REGENERATE_COMMAND, REPORT_DIR } from './api-report.js';

describe('the API report of @switchboard/host', () => {
  let reports: Map<string, string>;
  // built from the sources (declarations emitted in a temporary directory): no `npm run build` first
  beforeAll(() => { reports = apiReports(HOST_API); });

  it.each(HOST_API.entryPoints.map((e) => e.report))('host/api/%s is what the sources export', (file) => {
    let checkedIn = '';
    try { checkedIn = readFileSync(join(REPORT_DIR, file), 'utf8'); } catch { /* a missing report differs from any surface */ }
    expect(reports.get(file), `the public surface differs from host/api/${file}: if the change is meant, run \`${REGENERATE_COMMAND}\` and commit the report with it`).toBe(checkedIn);
  });

  it('the main entry point has what integrators use and not the internals; /testing has the sandbox and the drivers', () => {
    const main = reports.get('host.api.md')!;
    const testing = reports.get('host-testing.api.md')!;
    for (const name of ['createHost', 'defineConfig', 'configFromObject', 'loadConfigFile', 'hostConfigJsonSchema', 'BotContext', 'HostFeatureFactory', 'createConsoleFeature']) {
      expect(main).toMatch(new RegExp(`^export (declare )?(function|class|interface|type|const) ${name}\\b`, 'm'));
    }
    for (const name of ['createSandbox', 'MemoryDriver', 'SqliteDriver', 'ScaledTimer']) {
      expect(main).not.toMatch(new RegExp(`^export .*\\b${name}\\b`, 'm'));
      expect(testing).toMatch(new RegExp(`^export (declare )?(function|class|interface|type|const) ${name}\\b`, 'm'));
    }
  });
});

describe('apiReports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-api-fixture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a change of an exported signature and a type the entry point does not export (positive control)', () => {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: [], rootDir: 'src', outDir: 'dist' } }));
    writeFileSync(join(dir, 'src/hidden.ts'), '/** Not exported by the entry point. */\nexport interface Hidden { a: string }\n');
    const options = { packageName: '@acme/fixture', tsconfig: join(dir, 'tsconfig.json'), entryPoints: [{ source: 'index.ts', report: 'fixture.api.md' }] };

    writeFileSync(join(dir, 'src/index.ts'), '/** Adds one. */\nexport function inc(n: number): number { return n + 1; }\n');
    const before = apiReports(options).get('fixture.api.md')!;
    writeFileSync(join(dir, 'src/index.ts'), "import type { Hidden } from './hidden.js';\n/** Adds one. */\nexport function inc(n: number, by = 1): number { return n + by; }\n/** Uses a hidden type. */\nexport function hide(): Hidden { return { a: '' }; }\n");
    const after = apiReports(options).get('fixture.api.md')!;

    expect(before).toContain('export function inc(n: number): number;');
    expect(after).toContain('export function inc(n: number, by?: number): number;');
    expect(after).toContain('(ae-forgotten-export) The symbol "Hidden" needs to be exported by the entry point index.d.ts');
    expect(after).not.toMatch(/\.d\.ts:\d+:\d+/);
  });
});
