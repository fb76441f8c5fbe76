import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, parseChannels } from './channels.js';
import { TEMPLATE_ROOT, ownVersion, planApp, planConnector, renderTemplate, switchboardRange, targetPath, targetProblem, writeScaffold } from './generate.js';
import { connectorNameProblem, RESERVED_CHANNELS } from './names.js';

const channels = (list: string) => {
  const parsed = parseChannels(list);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.channels;
};
const fileOf = (files: { path: string; content: string }[], path: string): string => {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path}`);
  return file.content;
};

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('planApp', () => {
  const files = planApp({ name: 'my-bot', channels: channels('telegram,whatsapp'), version: '0.1.0' });

  it('makes the config, bot, test, .env.example, package.json, README and .gitignore', () => {
    expect(files.map((f) => f.path)).toEqual([
      '.env.example', '.gitignore', 'package.json', 'README.md', 'src/bot.js', 'switchboard.config.js', 'test/bot.test.js',
    ].sort((a, b) => a.localeCompare(b)));
  });

  it('leaves no placeholder unfilled', () => {
    for (const file of files) expect(file.content, file.path).not.toMatch(/\{\{\w+\}\}/);
  });

  it('configures one account per chosen channel, every secret read from the environment', () => {
    const config = fileOf(files, 'switchboard.config.js');
    expect(config).toContain("package: '@switchboard/telegram'");
    expect(config).toContain("package: '@switchboard/whatsapp'");
    expect(config).not.toContain('@switchboard/viber');
    for (const field of [...CHANNELS[0]!.fields, ...CHANNELS[1]!.fields]) expect(config).toContain(`${field.field}: { env: '${field.env}' }`);
    expect(config).toContain("name: 'my-bot'");
  });

  it('names the secrets in .env.example and gives none a value', () => {
    const lines = fileOf(files, '.env.example').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual(['PUBLIC_URL=', 'SWITCHBOARD_API_KEY=', 'OPT_IN_SECRET=', 'PSEUDONYM_SALT=', 'TELEGRAM_BOT_TOKEN=', 'TELEGRAM_SECRET_TOKEN=', 'WHATSAPP_ACCESS_TOKEN=', 'WHATSAPP_APP_SECRET=', 'WHATSAPP_VERIFY_TOKEN=', 'WHATSAPP_PHONE_NUMBER_ID=']);
  });

  it('depends on the published package names with caret ranges and has start and test scripts', () => {
    const pkg = JSON.parse(fileOf(files, 'package.json')) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.name).toBe('my-bot');
    expect(pkg.scripts).toMatchObject({ start: 'switchboard start', test: 'vitest run' });
    expect(pkg.dependencies).toEqual({ '@switchboard/core': '^0.1.0', '@switchboard/host': '^0.1.0', '@switchboard/telegram': '^0.1.0', '@switchboard/whatsapp': '^0.1.0' });
    expect(pkg.devDependencies['@switchboard/testkit']).toBe('^0.1.0');
    for (const range of [...Object.values(pkg.dependencies), ...Object.values(pkg.devDependencies)]) expect(range).toMatch(/^\^\d/);
  });

  it('drives every chosen channel in its test, with a customer id its fake accepts', () => {
    const test = fileOf(files, 'test/bot.test.js');
    expect(test).toContain("telegram: '700100200',");
    expect(test).toContain("whatsapp: '4917612345678',");
  });

  it('refuses an app without channels', () => {
    expect(() => planApp({ name: 'x', channels: [] })).toThrow(/at least one channel/);
  });
});

describe('planConnector', () => {
  const files = planConnector({ name: 'acme-sms', version: '0.1.0' });

  it('makes the plugin, connector, policy, fake platform, conformance test, package.json, tsconfig, README and .gitignore', () => {
    expect(files.map((f) => f.path)).toEqual([
      '.gitignore', 'package.json', 'README.md', 'src/__fixtures__/webhooks.ts', 'src/api.ts', 'src/config.ts', 'src/conformance.test.ts',
      'src/connector.ts', 'src/fake-server.ts', 'src/index.ts', 'src/plugin.ts', 'src/policy.ts', 'tsconfig.json',
    ].sort((a, b) => a.localeCompare(b)));
  });

  it('substitutes the name in every form', () => {
    expect(fileOf(files, 'src/plugin.ts')).toContain("channel: 'acme-sms',");
    expect(fileOf(files, 'src/connector.ts')).toContain('export class AcmeSmsConnector implements Connector');
    expect(fileOf(files, 'src/api.ts')).toContain("export const ACME_SMS_SIGNATURE_HEADER = 'x-acme-sms-signature';");
    expect(fileOf(files, 'src/policy.ts')).toContain('export const acmeSmsPolicy: ChannelPolicy');
    expect(fileOf(files, 'src/policy.ts')).toContain('sources: [');
    expect(fileOf(files, 'src/fake-server.ts')).toContain('export class FakeAcmeSmsServer extends FakePlatformServer');
    expect(fileOf(files, 'src/conformance.test.ts')).toContain('describeConnectorConformance(plugin, fixtures);');
    expect(fileOf(files, 'README.md')).toMatch(/^# switchboard-acme-sms\n/);
  });

  it('peer-depends on core with a caret range and tests with the testkit', () => {
    const pkg = JSON.parse(fileOf(files, 'package.json')) as { name: string; peerDependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.name).toBe('switchboard-acme-sms');
    expect(pkg.peerDependencies).toEqual({ '@switchboard/core': '^0.1.0' });
    expect(pkg.devDependencies).toMatchObject({ '@switchboard/core': '^0.1.0', '@switchboard/testkit': '^0.1.0' });
    expect(pkg.scripts).toMatchObject({ test: 'vitest run', build: 'tsc -p tsconfig.json' });
  });

  it('leaves no placeholder unfilled and no trace of the template name, whatever the (valid) name', () => {
    const names = fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,6}){0,2}$/).filter((n) => connectorNameProblem(n) === undefined && !RESERVED_CHANNELS.includes(n));
    fc.assert(fc.property(names, (name) => {
      for (const file of planConnector({ name, version: '0.1.0' })) {
        expect(file.content, file.path).not.toMatch(/\{\{\w+\}\}/);
        expect(file.content, file.path).not.toMatch(/acme/i.test(name) ? /\{\{/ : /acme/i);
      }
    }), { numRuns: 25 });
  });
});

describe('templates', () => {
  it('are all *.tmpl files: a template named *.test.ts would run in the repository\'s own suite and compile with tsc -b', () => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else found.push(entry.name);
      }
    };
    walk(TEMPLATE_ROOT);
    expect(found.length).toBeGreaterThan(10);
    expect(found.filter((name) => !name.endsWith('.tmpl') || name.startsWith('.'))).toEqual([]);
  });

  it('renderTemplate refuses a placeholder without a value', () => {
    expect(renderTemplate('a {{x}} b {{{x}}}', { x: 'X' })).toBe('a X b {X}');
    expect(() => renderTemplate('{{missing}}', {})).toThrow('template placeholder {{missing}} has no value');
    expect(() => renderTemplate('{{constructor}}', {})).toThrow(/has no value/);
  });

  it('targetPath drops .tmpl and turns a leading underscore into a dot', () => {
    expect(targetPath('_gitignore.tmpl')).toBe('.gitignore');
    expect(targetPath('src/__fixtures__/webhooks.ts.tmpl')).toBe('src/__fixtures__/webhooks.ts');
    expect(targetPath('test/bot.test.js.tmpl')).toBe('test/bot.test.js');
  });

  it('switchboardRange keeps the major and minor of the generator', () => {
    expect(switchboardRange('0.1.0')).toBe('^0.1.0');
    expect(switchboardRange('0.1.7')).toBe('^0.1.0');
    expect(switchboardRange('1.4.2-rc.1')).toBe('^1.4.0');
    expect(() => switchboardRange('next')).toThrow(/not a version/);
    expect(switchboardRange(ownVersion())).toMatch(/^\^\d+\.\d+\.0$/);
  });
});

describe('writeScaffold', () => {
  it('writes into a missing folder, and refuses a non-empty one without touching it', () => {
    const root = mkdtempSync(join(tmpdir(), 'create-switchboard-'));
    temps.push(root);
    const target = join(root, 'bot');
    writeScaffold(target, [{ path: 'a/b.txt', content: 'x' }]);
    expect(readFileSync(join(target, 'a', 'b.txt'), 'utf8')).toBe('x');
    expect(targetProblem(target)).toMatch(/is not empty \(1 entry\)/);
    expect(() => writeScaffold(target, [{ path: 'c.txt', content: 'y' }])).toThrow(/is not empty/);
    writeFileSync(join(root, 'file'), '');
    expect(targetProblem(join(root, 'file'))).toMatch(/is not a folder/);
  });
});
