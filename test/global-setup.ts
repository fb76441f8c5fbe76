/**
 * Runs once before any test file: builds every package's `dist/` with `tsc -b` (incremental: a few
 * seconds when nothing changed). Some tests need the build — the package contract and the
 * outside-install test pack tarballs of it, the CLI tests run the built bin — and when each built
 * what it missed, two of them built at once in a fresh clone and one read files the other was still
 * writing. Only `tsc -b`: the client's types are not regenerated here, so the drift test still sees
 * the committed file.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** vitest's global setup: build, and fail the run with the compiler's output when it does not build. */
export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  try {
    await run(process.execPath, [tsc, '-b'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`the packages do not build (tsc -b), so the tests that need dist/ cannot run:\n${stdout}${stderr}`, { cause: error });
  }
}
