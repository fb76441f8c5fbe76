/**
 * The package contract: what a registry and an installer see of every publishable package.
 *
 * Reads each publishable `package.json` and asserts the facts an integrator's or a vendor's install
 * depends on (caret ranges, core as a peer, metadata, LICENSE, `files`), then lists the tarballs of
 * one connector and of the host with `npm pack --dry-run --json` and asserts what they carry, and
 * runs `changeset version` on a copy of the manifests to show what a core patch release changes.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Where the project lives; `repository`, `homepage` and `bugs` all point here. */
const REPO = 'https://github.com/switchboard/switchboard';

/** Every package published to the registry (examples stay private). */
const PUBLISHABLE = [
  'core',
  'connectors/whatsapp',
  'connectors/messenger',
  'connectors/telegram',
  'connectors/viber',
  'connectors/apple',
  'client',
  'host',
  'test/testkit',
  'packages/create-switchboard',
] as const;

/** Packages that plug into core: core must be a peer so one copy of it (its DI tokens, its error classes) is shared. */
// the client speaks to a host over HTTP and shares no code with it, and create-switchboard only writes files: neither depends on a workspace package
const PLUGS_INTO_CORE = PUBLISHABLE.filter((dir) => dir !== 'core' && dir !== 'client' && dir !== 'packages/create-switchboard');

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  publishConfig?: Record<string, unknown>;
  files?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as PackageJson;

/** An exact version (`1.2.3`, `1.2.3-rc.1`): a pin that keeps users from patch releases. */
const EXACT = /^\d+\.\d+\.\d+(?:[-+].*)?$/;

describe('package contract: every publishable package.json', () => {
  const rootLicense = readFileSync(join(root, 'LICENSE'), 'utf8');

  it('the root LICENSE is the Apache License 2.0 with the project copyright', () => {
    expect(rootLicense).toContain('Apache License');
    expect(rootLicense).toContain('Version 2.0, January 2004');
    expect(rootLicense).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(rootLicense).toContain('END OF TERMS AND CONDITIONS');
    expect(rootLicense).toContain('Copyright 2026 The Switchboard authors');
  });

  describe.each(PUBLISHABLE)('%s', (dir) => {
    const pkg = readPackage(dir);

    it('is public, Apache-2.0, and carries the LICENSE text of the root', () => {
      expect(pkg.private).toBeUndefined();
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.publishConfig).toEqual({ access: 'public' });
      expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8')).toBe(rootLicense);
      expect(pkg.files).toContain('LICENSE');
    });

    it('keeps a CHANGELOG.md for its current version, shipped in its tarball', () => {
      const changelog = readFileSync(join(root, dir, 'CHANGELOG.md'), 'utf8');
      expect(changelog.startsWith(`# ${pkg.name}\n`)).toBe(true);
      expect(changelog).toContain(`\n## ${pkg.version}\n`);
      expect(pkg.files).toContain('CHANGELOG.md');
    });

    it('names its repository (with its directory), homepage and bug tracker', () => {
      expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git`, directory: dir });
      expect(pkg.homepage).toBe(`${REPO}/tree/main/${dir}#readme`);
      expect(pkg.bugs).toEqual({ url: `${REPO}/issues` });
    });

    it('keeps engines at node >=20.19', () => {
      expect(pkg.engines).toEqual({ node: '>=20.19' });
    });

    it('has no exact pins among its runtime dependencies and peers', () => {
      const ranges = { ...pkg.dependencies, ...pkg.peerDependencies };
      const pinned = Object.entries(ranges).filter(([, range]) => EXACT.test(range));
      expect(pinned).toEqual([]);
      for (const range of Object.values(ranges)) expect(range).toMatch(/^\^\d/);
    });

    it('keeps build info and source maps out of its tarball through `files`', () => {
      expect(pkg.files).toEqual(expect.arrayContaining(['!dist/**/*.map', '!dist/**/*.tsbuildinfo', '!dist/.tsbuildinfo']));
    });
  });

  describe.each(PLUGS_INTO_CORE)('%s plugs into core', (dir) => {
    const pkg = readPackage(dir);

    it('peer-depends on @switchboard/core ^0.1.0, not as a dependency, with a workspace devDependency', () => {
      expect(pkg.peerDependencies?.['@switchboard/core']).toBe('^0.1.0');
      expect(pkg.dependencies?.['@switchboard/core']).toBeUndefined();
      expect(pkg.devDependencies?.['@switchboard/core']).toBe(readPackage('core').version);
    });
  });

  it('regression: a core released as 0.1.1 satisfies every package built against 0.1.0 (exact peers failed with ERESOLVE)', () => {
    // the peer range admits any 0.1.x at or above 0.1.0 and nothing of another minor
    for (const dir of PLUGS_INTO_CORE) {
      const range = readPackage(dir).peerDependencies?.['@switchboard/core'] ?? '';
      const [major, minor, patch] = range.replace(/^\^/, '').split('.').map(Number);
      expect(range.startsWith('^')).toBe(true);
      expect([major, minor]).toEqual([0, 1]);
      expect(patch).toBe(0);
    }
  });

  it('regression: no package ships a TypeScript runtime (the host installed tsx and esbuild for every integrator); tsx is the host\'s optional peer', () => {
    for (const dir of PUBLISHABLE) {
      const deps = Object.keys(readPackage(dir).dependencies ?? {});
      expect(deps.filter((d) => ['tsx', 'esbuild', 'ts-node', 'typescript'].includes(d))).toEqual([]);
    }
    const host = readPackage('host') as PackageJson & { peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    expect(host.peerDependencies?.tsx).toMatch(/^\^4\./);
    expect(host.peerDependenciesMeta?.tsx?.optional).toBe(true);
  });

  it('the lock file records the same ranges for each workspace (npm ci accepts it)', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, Pick<PackageJson, 'dependencies' | 'peerDependencies' | 'devDependencies'>>;
    };
    for (const dir of PUBLISHABLE) {
      const pkg = readPackage(dir);
      const entry = lock.packages[dir];
      expect(entry, dir).toBeDefined();
      expect(entry?.dependencies ?? {}, `${dir} dependencies`).toEqual(pkg.dependencies ?? {});
      expect(entry?.peerDependencies ?? {}, `${dir} peerDependencies`).toEqual(pkg.peerDependencies ?? {});
      expect(entry?.devDependencies ?? {}, `${dir} devDependencies`).toEqual(pkg.devDependencies ?? {});
    }
  });
});

interface PackEntry {
  files: { path: string }[];
}

/** The file list `npm pack` would put in the tarball of the package at `dir` (nothing is written). */
async function packList(dir: string): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(root, dir),
    maxBuffer: 64 * 1024 * 1024,
  });
  const [entry] = JSON.parse(stdout) as PackEntry[];
  return (entry?.files ?? []).map((file) => file.path).sort();
}

/** The sources a shipped source map names that the tarball does not carry. */
function missingMapSources(dir: string, files: string[]): string[] {
  const shipped = new Set(files);
  const missing: string[] = [];
  for (const map of files.filter((file) => file.endsWith('.map'))) {
    const { sources = [] } = JSON.parse(readFileSync(join(root, dir, map), 'utf8')) as { sources?: string[] };
    for (const source of sources) {
      const inTarball = relative('.', normalize(join(dirname(map), source)));
      if (!shipped.has(inTarball)) missing.push(`${map} -> ${source}`);
    }
  }
  return missing;
}

describe.each(['connectors/telegram', 'host', 'packages/create-switchboard'])('package contract: the %s tarball (npm pack --dry-run)', (dir) => {
  let files: string[] = [];

  beforeAll(async () => {
    // the tarball is made of the build: build the package (incrementally) if this checkout has not
    if (!existsSync(join(root, dir, 'dist', 'index.js'))) {
      await run('npx', ['tsc', '-b', dir], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    }
    files = await packList(dir);
  }, 600_000);

  it('carries package.json, README.md, LICENSE, CHANGELOG.md and the built entry point with its types', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts']),
    );
  });

  it('carries no .tsbuildinfo', () => {
    expect(files.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('carries no source map whose sources it lacks', () => {
    expect(missingMapSources(dir, files)).toEqual([]);
  });

  it('carries no TypeScript sources or tests outside the declarations', () => {
    const sources = files.filter((file) => /\.(?:c|m)?ts$/.test(file) && !/\.d\.(?:c|m)?ts$/.test(file));
    expect(sources).toEqual([]);
  });
});

describe('package contract: releases with changesets', () => {
  const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')) as Record<string, unknown>;

  it('publishes publicly from main and never versions the private examples', () => {
    expect(config).toMatchObject({ access: 'public', baseBranch: 'main', commit: false, privatePackages: { version: false, tag: false } });
  });

  it('regression: a core patch release leaves every package that peers on core as it is (changesets raised their peer ranges without releasing them)', async () => {
    // changeset version on a copy of the manifests: the workspace's own files stay untouched
    const scratch = await mkdtemp(join(tmpdir(), 'sb-changesets-'));
    try {
      await cp(join(root, '.changeset'), join(scratch, '.changeset'), { recursive: true });
      await cp(join(root, 'package.json'), join(scratch, 'package.json'));
      const rootPkg = readPackage('.') as PackageJson & { workspaces: string[] };
      const workspaces = rootPkg.workspaces.flatMap((w) => (w.endsWith('/*') ? readdirSync(join(root, w.slice(0, -2))).map((d) => `${w.slice(0, -2)}/${d}`) : [w]))
        .filter((d) => existsSync(join(root, d, 'package.json')));
      for (const dir of workspaces) {
        await mkdir(join(scratch, dir), { recursive: true });
        await cp(join(root, dir, 'package.json'), join(scratch, dir, 'package.json'));
        if (existsSync(join(root, dir, 'CHANGELOG.md'))) await cp(join(root, dir, 'CHANGELOG.md'), join(scratch, dir, 'CHANGELOG.md'));
      }
      await writeFile(join(scratch, '.changeset', 'core-patch.md'), '---\n"@switchboard/core": patch\n---\n\nA fix in the consent ledger.\n');
      await run(process.execPath, [join(root, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'], { cwd: scratch });
      const after = (dir: string): PackageJson => JSON.parse(readFileSync(join(scratch, dir, 'package.json'), 'utf8')) as PackageJson;
      const core = readPackage('core');
      const [major, minor, patch] = core.version.split('.').map(Number) as [number, number, number];
      const next = `${major}.${minor}.${patch + 1}`;
      expect(after('core').version).toBe(next);
      expect(readFileSync(join(scratch, 'core', 'CHANGELOG.md'), 'utf8')).toMatch(new RegExp(`## ${next.replace(/\./g, '\\.')}\\n\\n### Patch Changes\\n\\n- A fix in the consent ledger\\.`));
      for (const dir of PLUGS_INTO_CORE) {
        expect([dir, after(dir).version, after(dir).peerDependencies?.['@switchboard/core']]).toEqual([dir, readPackage(dir).version, readPackage(dir).peerDependencies?.['@switchboard/core']]);
      }
      expect(existsSync(join(scratch, '.changeset', 'core-patch.md'))).toBe(false);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('package contract: the create-switchboard tarball', () => {
  const dir = 'packages/create-switchboard';
  let files: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(root, dir, 'dist', 'cli.js'))) {
      await run('npx', ['tsc', '-b', dir], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    }
    files = await packList(dir);
  }, 600_000);

  it('carries its bin, the built CLI and every template (the scaffolds need nothing from the repository)', () => {
    const pkg = readPackage(dir) as PackageJson & { bin?: Record<string, string> };
    expect(pkg.bin).toEqual({ 'create-switchboard': './bin/create-switchboard.js' });
    expect(files).toEqual(expect.arrayContaining(['bin/create-switchboard.js', 'dist/cli.js', 'dist/generate.js', 'dist/names.js', 'dist/channels.js']));
    const templates = (sub: string): string[] => {
      const found: string[] = [];
      const walk = (at: string): void => {
        for (const entry of readdirSync(join(root, dir, at), { withFileTypes: true })) {
          if (entry.isDirectory()) walk(`${at}/${entry.name}`);
          else found.push(`${at}/${entry.name}`);
        }
      };
      walk(sub);
      return found;
    };
    const all = templates('templates');
    expect(all.length).toBeGreaterThan(10);
    expect(files).toEqual(expect.arrayContaining(all));
  });

  it('has no runtime dependencies (npm create fetches nothing but itself)', () => {
    expect(readPackage(dir).dependencies).toBeUndefined();
  });
});
