/**
 * The API report of `@switchboard/host`: what each entry point (`.` and `./testing`) exports, with
 * every declaration's signature, as API Extractor writes it (`*.api.md` beside this file). A change
 * to the public surface changes a report, so it shows in review; `api-report.test.ts` fails when
 * the sources and the checked-in reports differ.
 *
 * It needs no build: the declarations are emitted from the sources (the host's and core's) into a
 * temporary directory, laid out as the published packages are — the host's `.d.ts` files, and
 * core's under `node_modules/@switchboard/core`, so core stays an external package in the report
 * as it is for an integrator — and API Extractor reads them there.
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type ExtractorMessage } from '@microsoft/api-extractor';
import ts from 'typescript';

/** The repository's root. */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** Where the checked-in reports live. */
export const REPORT_DIR = fileURLToPath(new URL('.', import.meta.url));
/** The command that rewrites the checked-in reports from the sources. */
export const REGENERATE_COMMAND = 'npx tsx host/api/write-api-report.ts';

/** One entry point of a package and the report that records it. */
export interface ApiEntryPoint {
  /** The entry point's source, relative to the package's `src/` (e.g. `index.ts`). */
  readonly source: string;
  /** The report's file name (e.g. `host.api.md`). */
  readonly report: string;
}

/** The host's entry points: `@switchboard/host` and `@switchboard/host/testing`. */
export const HOST_ENTRY_POINTS: readonly ApiEntryPoint[] = [
  { source: 'index.ts', report: 'host.api.md' },
  { source: 'testing.ts', report: 'host-testing.api.md' },
];

/** What {@link apiReports} reads. */
export interface ApiReportOptions {
  /** The package's name, shown in the reports' titles. */
  readonly packageName: string;
  /** The package's `tsconfig.json` (its compiler options are used; `rootDir` must be `src`). */
  readonly tsconfig: string;
  readonly entryPoints: readonly ApiEntryPoint[];
  /**
   * Workspace packages the sources import, by name, with the source file each name stands for:
   * their declarations are emitted too and placed under `node_modules/<name>`, so they stay
   * external packages in the report whether or not they were built.
   */
  readonly workspacePackages?: Readonly<Record<string, string>>;
}

/** The host's options: its tsconfig and entry points, core (and `core/di`) from their sources. */
export const HOST_API: ApiReportOptions = {
  packageName: '@switchboard/host',
  tsconfig: join(ROOT, 'host/tsconfig.json'),
  entryPoints: HOST_ENTRY_POINTS,
  workspacePackages: { '@switchboard/core': join(ROOT, 'core/src/index.ts'), '@switchboard/core/di': join(ROOT, 'core/src/di.ts') },
};

/**
 * Builds the API report of each entry point from the sources.
 * @param options - the package, its tsconfig and its entry points
 * @returns the report's text by its file name
 */
export function apiReports(options: ApiReportOptions): Map<string, string> {
  const work = mkdtempSync(join(tmpdir(), 'switchboard-api-report-'));
  try {
    const { entries, compilerOptions, exported } = emitDeclarations(options, work);
    const reports = new Map<string, string>();
    for (const entry of options.entryPoints) {
      const text = extract(options.packageName, join(entries, entry.source.replace(/\.ts$/, '.d.ts')), entry.report, work, compilerOptions);
      const elsewhere = new Set(options.entryPoints.filter((e) => e !== entry).flatMap((e) => [...exported.get(e.source)!]));
      reports.set(entry.report, tidy(text, elsewhere));
    }
    return reports;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Emits the package's declarations (and those of the workspace packages it imports) into `work`.
 * @returns the directory of the package's `src/` declarations and the compiler options API
 *   Extractor should read them with
 */
function emitDeclarations(options: ApiReportOptions, work: string): {
  entries: string; compilerOptions: Record<string, unknown>; exported: Map<string, Set<string>>;
} {
  const parsed = ts.getParsedCommandLineOfConfigFile(options.tsconfig, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) throw new Error(`cannot read ${options.tsconfig}`);
  const srcDir = join(dirname(options.tsconfig), 'src');
  const packages = Object.entries(options.workspacePackages ?? {});
  const paths = Object.fromEntries(packages.map(([name, file]) => [name, [file]]));
  const out = join(work, 'emitted');
  const roots = packages.map(([name, file]) => ({ name, dir: packageDirOf(file) }));
  const rootDir = commonDirectory([dirname(options.tsconfig), ...roots.map((r) => r.dir)]);
  const program = ts.createProgram({
    rootNames: options.entryPoints.map((e) => join(srcDir, e.source)),
    options: {
      ...parsed.options, paths, rootDir, outDir: out, declaration: true, emitDeclarationOnly: true,
      declarationMap: false, sourceMap: false, composite: false, incremental: false, tsBuildInfoFile: undefined,
    },
  });
  // type errors are tsc's to report (`tsc -b`); declarations are emitted from sources that have them too
  const checker = program.getTypeChecker();
  const exported = new Map(options.entryPoints.map((e) => {
    const module = checker.getSymbolAtLocation(program.getSourceFile(join(srcDir, e.source))!);
    return [e.source, new Set(module ? checker.getExportsOfModule(module).map((s) => s.name) : [])];
  }));

  // each workspace package's sources become node_modules/<name>/<its path in the repository>
  const entries = join(work, 'package', 'src');
  const moved = (file: string): string | undefined => {
    const source = join(rootDir, relative(out, file));
    if (source.startsWith(srcDir + sep)) return join(entries, relative(srcDir, source));
    const owner = roots.find((r) => source.startsWith(r.dir + sep));
    return owner ? join(work, 'node_modules', packageName(owner.name), relative(owner.dir, source)) : undefined;
  };
  const result = program.emit(undefined, (file, text) => {
    const target = moved(file);
    if (!target) return;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }, undefined, true);
  const problems = [...program.getOptionsDiagnostics(), ...result.diagnostics].filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (result.emitSkipped || problems.length > 0) {
    throw new Error(`cannot emit the declarations of ${options.packageName}:\n${ts.formatDiagnostics(problems.slice(0, 10), { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' })}`);
  }
  for (const { name, dir } of new Map(roots.map((r) => [packageName(r.name), r])).values()) {
    const exports = Object.fromEntries(packages.filter(([n]) => packageName(n) === packageName(name)).map(([n, file]) => [
      `.${n.slice(packageName(n).length)}`, { types: `./${relative(dir, file).split(sep).join('/').replace(/\.ts$/, '.d.ts')}` },
    ]));
    writeFileSync(join(work, 'node_modules', packageName(name), 'package.json'), JSON.stringify({ name: packageName(name), version: '0.0.0', type: 'module', exports }));
  }

  // every other package (express, zod, @types/…) from the repository's node_modules, as the program saw them
  const types = new Set<string>();
  for (const sf of program.getSourceFiles()) {
    const m = /[/\\]node_modules[/\\]@types[/\\]([^/\\]+)[/\\]/.exec(sf.fileName);
    if (m) types.add(m[1]!);
  }
  const compilerOptions = {
    target: 'ES2023', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true,
    experimentalDecorators: true, types: [...types].sort(), typeRoots: [join(ROOT, 'node_modules/@types')],
    paths: {
      ...Object.fromEntries(packages.map(([name, file]) => [name, [join(work, 'node_modules', packageName(name), relative(packageDirOf(file), file).replace(/\.ts$/, '.d.ts'))]])),
      '*': [join(ROOT, 'node_modules/*')],
    },
  };
  writeFileSync(join(work, 'package', 'package.json'), JSON.stringify({ name: options.packageName, version: '0.0.0', type: 'module' }));
  return { entries, compilerOptions, exported };
}

/** Runs API Extractor on one entry point's declarations and returns its report. */
function extract(packageName: string, entry: string, report: string, work: string, compilerOptions: Record<string, unknown>): string {
  const projectFolder = join(work, 'package');
  const reportFolder = join(work, 'reports');
  mkdirSync(reportFolder, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder,
      mainEntryPointFilePath: entry,
      compiler: { overrideTsconfig: { compilerOptions, files: [entry] } },
      apiReport: { enabled: true, reportFileName: report, reportFolder, reportTempFolder: join(work, 'reports-temp') },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        // the sources were type-checked above; the report is about the surface, not the TSDoc style
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.None },
          // a public declaration that names a type the entry point does not export: shown in the report
          'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
        },
      },
    },
    configObjectFullPath: join(projectFolder, 'api-extractor.json'),
    packageJsonFullPath: join(projectFolder, 'package.json'),
  });
  const errors: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message: ExtractorMessage) => {
      if (message.logLevel === ExtractorLogLevel.Error) errors.push(message.formatMessageWithLocation(projectFolder));
      message.handled = true;
    },
  });
  if (!result.succeeded) throw new Error(`API Extractor failed for ${packageName}:\n${errors.join('\n')}`);
  return readFileSync(join(reportFolder, report.endsWith('.api.md') ? report : `${report}.api.md`), 'utf8');
}

/**
 * What in API Extractor's report is not about the surface: the line and column of a warning (they
 * move with every edit above it), and "needs to be exported" for a name another entry point of
 * the package exports (`/testing` names the main entry point's types without repeating them).
 */
function tidy(report: string, exportedElsewhere: ReadonlySet<string>): string {
  return report
    .split('\n')
    .filter((line) => {
      const forgotten = /\(ae-forgotten-export\) The symbol "([^"]+)"/.exec(line);
      return !(forgotten && exportedElsewhere.has(forgotten[1]!));
    })
    .map((line) => line.replace(/^(\/\/ \S+\.d\.ts):\d+:\d+ - /, '$1 - '))
    .join('\n');
}

/** `@scope/name` of `@scope/name/sub`, `name` of `name/sub`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The deepest directory holding every one of `dirs`. */
function commonDirectory(dirs: readonly string[]): string {
  let common = dirs[0]!;
  while (!dirs.every((d) => d === common || d.startsWith(common.endsWith(sep) ? common : common + sep))) common = dirname(common);
  return common;
}

/** The package directory (the one holding `src/`) of a workspace package's source file. */
function packageDirOf(file: string): string {
  const at = file.lastIndexOf(`${sep}src${sep}`);
  if (at < 0) throw new Error(`${file} is not under a package's src/`);
  return file.slice(0, at);
}
