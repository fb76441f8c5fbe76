/**
 * Loads a TypeScript config module without making a TypeScript compiler a runtime dependency of the
 * host: it uses `tsx` when the integrator has installed it, else Node's own type stripping where the
 * running Node has it (22.18 and later, 23.6 and later), and otherwise refuses with the ways out.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@switchboard/core';

/** What {@link importTypeScriptModule} can use to load a `.ts` file. */
export interface TypeScriptLoaders {
  /** Imports tsx's ESM API; rejects with `ERR_MODULE_NOT_FOUND` when tsx is not installed. */
  readonly importTsx: () => Promise<{ tsImport: (specifier: string, parentURL: string) => Promise<unknown> }>;
  /** Whether this Node strips types itself (`process.features.typescript` is set). */
  readonly nativeTypeStripping: boolean;
}

/** The loaders of this process: tsx resolved from the working directory's packages, Node's own stripping. */
export const PROCESS_TYPESCRIPT_LOADERS: TypeScriptLoaders = {
  importTsx: () => import('tsx/esm/api'),
  nativeTypeStripping: Boolean((process.features as { typescript?: unknown }).typescript),
};

/** What the refusal tells an integrator to do (also printed in the READMEs). */
export const TYPESCRIPT_CONFIG_HELP =
  'install tsx beside the host (npm install --save-dev tsx), run on Node 22.18 or later (it strips types itself), '
  + 'or write the config as switchboard.config.js, .mjs or .json';

/**
 * Whether an import failure says that the `tsx` package itself is not installed (and not that
 * something tsx imports is missing).
 */
function tsxMissing(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return err?.code === 'ERR_MODULE_NOT_FOUND' && typeof err.message === 'string' && /['"]tsx['"]|package 'tsx'/.test(err.message);
}

/**
 * Imports a `.ts`/`.mts` module.
 * @param file - absolute path
 * @param loaders - the ways to load it (default: this process's)
 * @returns the module's namespace
 * @throws ConfigError naming the file and the ways out when neither tsx nor Node's type stripping is available
 */
export async function importTypeScriptModule(file: string, loaders: TypeScriptLoaders = PROCESS_TYPESCRIPT_LOADERS): Promise<Record<string, unknown>> {
  const href = pathToFileURL(file).href;
  let tsx: Awaited<ReturnType<TypeScriptLoaders['importTsx']>> | undefined;
  try {
    tsx = await loaders.importTsx();
  } catch (e) {
    if (!tsxMissing(e)) throw e;
  }
  if (tsx) return await tsx.tsImport(href, import.meta.url) as Record<string, unknown>;
  if (loaders.nativeTypeStripping) return await import(href) as Record<string, unknown>;
  throw new ConfigError('(file)', `${file} is TypeScript, and this process has no way to load it: ${TYPESCRIPT_CONFIG_HELP}`);
}
