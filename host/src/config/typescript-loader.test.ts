import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/core';
import { importTypeScriptModule, TYPESCRIPT_CONFIG_HELP, type TypeScriptLoaders } from './typescript-loader.js';

/** How Node reports a package that is not installed, as an import of `tsx` fails without it. */
function notInstalled(name: string): Error {
  return Object.assign(new Error(`Cannot find package '${name}' imported from /app/node_modules/@switchboard/host/dist/config/typescript-loader.js`), { code: 'ERR_MODULE_NOT_FOUND' });
}

describe('importTypeScriptModule', () => {
  let dir: string;
  let file: string;
  let plainFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-ts-loader-'));
    file = join(dir, 'switchboard.config.ts');
    await writeFile(file, 'const port: number = 4321;\nexport default { port };\n');
    // type-free TypeScript: what Node's own stripping leaves unchanged, so a plain import can stand for it here
    plainFile = join(dir, 'plain.mjs');
    await writeFile(plainFile, 'export default { port: 1234 };\n');
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('loads a .ts config with tsx when it is installed (as in this workspace, where tsx is a dev dependency)', async () => {
    const mod = await importTypeScriptModule(file);
    const value = (mod.default as { default?: unknown }).default ?? mod.default;
    expect(value).toEqual({ port: 4321 });
  });

  it('falls back to Node’s own type stripping when tsx is not installed and Node has it', async () => {
    const loaders: TypeScriptLoaders = { importTsx: () => Promise.reject(notInstalled('tsx')), nativeTypeStripping: true };
    const mod = await importTypeScriptModule(plainFile, loaders);
    expect(mod.default).toEqual({ port: 1234 });
  });

  it('refuses with a ConfigError naming the file and the ways out when neither is available (regression: the host shipped tsx and esbuild to every install)', async () => {
    const loaders: TypeScriptLoaders = { importTsx: () => Promise.reject(notInstalled('tsx')), nativeTypeStripping: false };
    const err = await importTypeScriptModule(file, loaders).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain(TYPESCRIPT_CONFIG_HELP);
  });

  it('does not mistake another failure of tsx for its absence', async () => {
    const loaders: TypeScriptLoaders = { importTsx: () => Promise.reject(notInstalled('esbuild')), nativeTypeStripping: false };
    await expect(importTypeScriptModule(file, loaders)).rejects.toThrow(/Cannot find package 'esbuild'/);
  });
});
