/**
 * Starts `host-process.ts` in a process of its own (run against the sources with tsx, as in
 * vitest) and collects what it prints, for the suites that kill it, measure its memory or stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../e2e/support/host-harness.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

/** Where `host-process.ts` stalls before a test kills it, and whether it mounts the console (each described there). */
export interface HostChildHooks {
  stallAfterInboxWrite?: boolean;
  stallInboxAfter?: number;
  stallOutboxComplete?: string[];
  stallBeforePartRecord?: string[];
  stallAfterPartRecord?: string[];
  console?: boolean;
}

/** A started host process and what it printed (stdout by line, stderr as it came). */
export interface HostChild {
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  /** The first printed line matching `re`; fails when the process exits first or after `ms`. */
  line(re: RegExp, ms?: number): Promise<RegExpExecArray>;
}

/** Host processes started and not yet exited (for killing them after a test). */
export const runningHostChildren = new Set<ChildProcess>();

/**
 * Spawns a host process.
 * @param config - the host config (JSON), passed as `CHILD_HOST_CONFIG`
 * @param hooks - the store stalls `host-process.ts` understands, passed as `CHILD_HOOKS`
 * @param waitMs - default limit of {@link HostChild.line}
 */
export function spawnHostChild(config: Record<string, unknown>, hooks: HostChildHooks = {}, waitMs = 90_000): HostChild {
  const child = spawn(process.execPath, ['--import', tsx, here('./host-process.ts')], {
    env: { ...process.env, TSX_TSCONFIG_PATH: here('./tsconfig.child.json'), CHILD_HOST_CONFIG: JSON.stringify(config), CHILD_HOOKS: JSON.stringify(hooks) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runningHostChildren.add(child);
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { runningHostChildren.delete(child); resolve(code); }));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    output.push(...lines);
  });
  const line = async (re: RegExp, ms = waitMs): Promise<RegExpExecArray> => {
    let exitCode: number | null | undefined;
    void exited.then((code) => { exitCode = code; });
    return eventually(() => {
      for (const l of output) { const m = re.exec(l); if (m) return m; }
      if (exitCode !== undefined) throw new Error(`the host process exited (${exitCode}) before printing ${re}: ${output.join('\n')}`);
      return undefined;
    }, ms);
  };
  return { process: child, output, exited, line };
}
