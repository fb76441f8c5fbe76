/**
 * The generator: renders the templates kept in this package (`templates/app`, `templates/connector`)
 * into a list of files, and writes them into an empty folder. Nothing is copied from a repository
 * at run time.
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelInfo } from './channels.js';
import { connectorNames } from './names.js';

/** Where the templates are: `templates/` beside `src/` and `dist/`. */
export const TEMPLATE_ROOT = fileURLToPath(new URL('../templates/', import.meta.url));

/** A file to write: its path relative to the target folder (with `/`), and its text. */
export interface ScaffoldFile {
  path: string;
  content: string;
}

/** This package's own version (the scaffolds depend on the Switchboard packages of the same minor). */
export function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The caret range of the Switchboard packages a scaffold depends on: the generator's major and
 * minor, any patch (`0.1.3` → `^0.1.0`).
 * @param version - the generator's version
 * @returns the range
 */
export function switchboardRange(version: string): string {
  const match = /^(\d+)\.(\d+)\.\d+/.exec(version);
  if (!match) throw new Error(`not a version: ${version}`);
  return `^${match[1]}.${match[2]}.0`;
}

/**
 * Fills `{{key}}` placeholders.
 * @param text - the template
 * @param values - the value of each placeholder
 * @returns the text with every placeholder replaced
 * @throws Error naming a placeholder without a value (a template and its generator disagree)
 */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_whole, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`template placeholder {{${key}}} has no value`);
    return values[key]!;
  });
}

/**
 * Where a template file goes: without its `.tmpl` suffix, and a leading `_` of its name becomes a
 * dot (`_gitignore.tmpl` → `.gitignore`: npm leaves dot files such as `.gitignore` out of tarballs,
 * and templates must not be picked up by the repository's own test runner, compiler or linter).
 * @param templatePath - the path under the template folder, with `/`
 * @returns the path in the scaffold
 */
export function targetPath(templatePath: string): string {
  const parts = templatePath.replace(/\.tmpl$/, '').split('/');
  const last = parts.pop()!;
  return [...parts, last.startsWith('_') ? `.${last.slice(1)}` : last].join('/');
}

/** The template files of a kind, with paths relative to its folder (with `/`), sorted. */
function templateFiles(kind: 'app' | 'connector'): { path: string; text: string }[] {
  const root = join(TEMPLATE_ROOT, kind);
  const found: { path: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.tmpl')) found.push({ path: relative(root, full).split(sep).join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  walk(root);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** What an integrator app is made of. */
export interface AppOptions {
  /** The app's name (checked with `appNameProblem`). */
  name: string;
  /** Its channels, at least one. */
  channels: readonly ChannelInfo[];
  /** The generator's version (default: this package's). */
  version?: string;
}

/**
 * The files of an integrator app: `switchboard.config.js` with one account per channel (secrets
 * from the environment), the bot handler, its test against the fake platforms, `.env.example`,
 * `package.json` with start and test scripts, README and `.gitignore`.
 * @param options - name, channels, version
 * @returns the files, sorted by path
 */
export function planApp(options: AppOptions): ScaffoldFile[] {
  if (options.channels.length === 0) throw new Error('an app needs at least one channel');
  const range = switchboardRange(options.version ?? ownVersion());
  const connectors = options.channels.map((c) => [
    `  {`,
    `    package: '${c.packageName}',`,
    `    required: true,`,
    `    accounts: [{ id: 'main', config: {`,
    ...c.fields.map((f) => `      ${f.field}: { env: '${f.env}' },`),
    `    } }],`,
    `  },`,
  ].join('\n')).join('\n');
  const values = {
    appName: options.name,
    connectors,
    customers: options.channels.map((c) => `  ${c.channel}: '${c.sampleUserId}',`).join('\n'),
    channelTitles: options.channels.map((c) => c.title).join(', '),
    channelList: options.channels.map((c) => `- ${c.title}: \`${c.packageName}\`, account \`main\`, webhook \`<PUBLIC_URL>/webhooks/${c.channel}/main\`; ${c.fields.map((f) => `\`${f.field}\` from \`${f.env}\``).join(', ')}`).join('\n'),
  };
  const files: ScaffoldFile[] = templateFiles('app').map((t) => ({ path: targetPath(t.path), content: renderTemplate(t.text, values) }));
  files.push({
    path: 'package.json',
    content: json({
      name: options.name,
      version: '0.1.0',
      private: true,
      description: `A Switchboard app on ${values.channelTitles}.`,
      type: 'module',
      engines: { node: '>=20.19' },
      scripts: {
        start: 'switchboard start',
        sandbox: 'switchboard start --sandbox',
        doctor: 'switchboard doctor',
        test: 'vitest run',
      },
      dependencies: {
        '@switchboard/core': range,
        '@switchboard/host': range,
        ...Object.fromEntries(options.channels.map((c) => [c.packageName, range])),
      },
      devDependencies: {
        '@switchboard/testkit': range,
        'fast-check': '^4.0.0',
        vitest: '^4.1.0',
      },
    }),
  });
  files.push({
    path: '.env.example',
    content: [
      `# The environment ${options.name} reads (switchboard.config.js): names only — never commit values.`,
      '# The public HTTPS base URL platforms reach the host at (webhooks: <PUBLIC_URL>/webhooks/<channel>/main).',
      'PUBLIC_URL=',
      '# The bearer key of the REST API (16-256 characters).',
      'SWITCHBOARD_API_KEY=',
      '# At least 16 random characters each: the key of click-to-chat opt-in links, and the salt of erased contacts\' pseudonyms.',
      'OPT_IN_SECRET=',
      'PSEUDONYM_SALT=',
      ...options.channels.flatMap((c) => [`# ${c.title}`, ...c.fields.flatMap((f) => [`# ${f.hint}`, `${f.env}=`])]),
      '',
    ].join('\n'),
  });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** What a vendor connector is made of. */
export interface ConnectorOptions {
  /** The connector's name, which is its channel id (checked with `connectorNameProblem`). */
  name: string;
  /** The generator's version (default: this package's). */
  version?: string;
}

/**
 * The files of a vendor connector: plugin, connector, policy with sources, capabilities, config,
 * fake platform server, the testkit's conformance test with samples, `package.json`, `tsconfig.json`,
 * README and `.gitignore`.
 * @param options - name, version
 * @returns the files, sorted by path
 */
export function planConnector(options: ConnectorOptions): ScaffoldFile[] {
  const names = connectorNames(options.name);
  const range = switchboardRange(options.version ?? ownVersion());
  const values = {
    name: names.name, Pascal: names.pascal, camel: names.camel, CONST: names.constant, Title: names.title, packageName: names.packageName,
  };
  const files: ScaffoldFile[] = templateFiles('connector').map((t) => ({ path: targetPath(t.path), content: renderTemplate(t.text, values) }));
  files.push({
    path: 'package.json',
    content: json({
      name: names.packageName,
      version: '0.1.0',
      description: `Switchboard connector for ${names.title}.`,
      license: 'UNLICENSED',
      type: 'module',
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
      files: ['dist', 'README.md'],
      engines: { node: '>=20.19' },
      scripts: { build: 'tsc -p tsconfig.json', test: 'vitest run', prepublishOnly: 'npm run build && npm test' },
      keywords: ['switchboard-connector', names.name],
      peerDependencies: { '@switchboard/core': range },
      devDependencies: {
        '@switchboard/core': range,
        '@switchboard/testkit': range,
        '@types/node': '^20.19.0',
        'fast-check': '^4.0.0',
        typescript: '^6.0.0',
        vitest: '^4.1.0',
      },
    }),
  });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Why a folder cannot receive a scaffold: it is a file, or a folder with something in it.
 * @param dir - the target folder
 * @returns a sentence, or undefined when the folder is missing or empty
 */
export function targetProblem(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir} exists and is not a folder`;
  const entries = readdirSync(dir);
  if (entries.length > 0) return `${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); choose a new or empty folder`;
  return undefined;
}

/**
 * Writes a scaffold into a missing or empty folder.
 * @param dir - the target folder (created with its parents)
 * @param files - what {@link planApp} or {@link planConnector} returned
 * @throws Error when the folder is not empty (checked again here, right before writing)
 */
export function writeScaffold(dir: string, files: readonly ScaffoldFile[]): void {
  const problem = targetProblem(dir);
  if (problem) throw new Error(problem);
  for (const file of files) {
    const target = join(dir, ...file.path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { flag: 'wx' });
  }
}
