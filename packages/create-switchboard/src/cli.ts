/**
 * The `create-switchboard` command (`npm create switchboard …`), on `node:util` `parseArgs`.
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNELS, DEFAULT_CHANNELS, parseChannels } from './channels.js';
import { ownVersion, planApp, planConnector, targetProblem, writeScaffold } from './generate.js';
import { appNameProblem, connectorNameProblem, connectorNames } from './names.js';

/** Exit code of a usage error: a bad name or option, or a target folder that is not empty. */
export const EXIT_USAGE = 2;

/** Where the command reads and writes. */
export interface CliIo {
  /** The folder relative targets are resolved against. */
  cwd: string;
  /** Standard output. */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
}

/** The text of `--help`. */
export const HELP = `Usage:
  npm create switchboard <app-name> [-- --channels telegram,whatsapp] [--dir <folder>]
  npm create switchboard -- --connector <name> [--dir <folder>]

Scaffolds an integrator app (a host config with the chosen channels, a bot handler, .env.example,
a test against the fake platforms, start/test scripts) or, with --connector, a vendor connector
(plugin, ChannelPolicy with sources, fake platform server, the testkit's conformance test).

Options:
  --channels <list>   channels of the app, comma-separated (default ${DEFAULT_CHANNELS.join(',')}):
                      ${CHANNELS.map((c) => c.channel).join(', ')}
  --connector <name>  scaffold a vendor connector for the channel <name> (e.g. acme-sms)
  --dir <folder>      where to write (default: ./<app-name>, or ./switchboard-<name> for a connector);
                      it must be missing or empty
  -h, --help          show this help
  -v, --version       show the version
`;

/**
 * Runs the command.
 * @param argv - the arguments after the executable
 * @param io - working folder and output streams
 * @returns the exit code: 0 when done, {@link EXIT_USAGE} on a usage error
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        channels: { type: 'string' },
        connector: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    return usage(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  if (values.version) {
    io.out(`${ownVersion()}\n`);
    return 0;
  }

  if (values.connector !== undefined) {
    if (positionals.length > 0) return usage(io, `--connector takes no app name (got ${positionals.map((p) => JSON.stringify(p)).join(' ')}); use --dir for the folder`);
    if (values.channels !== undefined) return usage(io, '--channels is for apps, not connectors');
    const problem = connectorNameProblem(values.connector);
    if (problem) return usage(io, problem);
    const names = connectorNames(values.connector);
    const dir = resolve(io.cwd, values.dir ?? names.packageName);
    const files = planConnector({ name: values.connector });
    return write(io, dir, files, [
      `Created the ${names.title} connector (${names.packageName}, channel "${names.name}") in ${dir}`,
      '',
      'Next:',
      `  cd ${values.dir ?? names.packageName}`,
      '  npm install',
      '  npm test          # the testkit\'s conformance suite',
      '  npm run build',
    ]);
  }

  if (positionals.length !== 1) {
    return usage(io, positionals.length === 0 ? 'name the app, e.g. npm create switchboard my-bot' : `one app name, please (got ${positionals.length})`);
  }
  const name = positionals[0]!;
  const problem = appNameProblem(name);
  if (problem) return usage(io, problem);
  const channels = parseChannels(values.channels ?? DEFAULT_CHANNELS.join(','));
  if ('problem' in channels) return usage(io, channels.problem);
  const dir = resolve(io.cwd, values.dir ?? name);
  const files = planApp({ name, channels: channels.channels });
  return write(io, dir, files, [
    `Created ${name} (${channels.channels.map((c) => c.channel).join(', ')}) in ${dir}`,
    '',
    'Next:',
    `  cd ${values.dir ?? name}`,
    '  npm install',
    '  npm test          # the bot against the fake platforms',
    '  npm run sandbox   # a host with fake platforms to play with',
    '  npm start         # the real thing: set the variables .env.example names first',
  ]);
}

function usage(io: CliIo, message: string): number {
  io.err(`create-switchboard: ${message}\nRun create-switchboard --help for usage.\n`);
  return EXIT_USAGE;
}

function write(io: CliIo, dir: string, files: Parameters<typeof writeScaffold>[1], next: string[]): number {
  const problem = targetProblem(dir);
  if (problem) return usage(io, problem);
  writeScaffold(dir, files);
  io.out(`${next.join('\n')}\n`);
  return 0;
}
