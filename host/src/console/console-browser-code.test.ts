import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

describe('the browser code', () => {
  it('type-checks against the DOM types (JSDoc, checkJs) with no build step', () => {
    const dir = fileURLToPath(new URL('./public/', import.meta.url));
    const program = ts.createProgram(['app.js', 'api.js', 'dom.js', 'media.js', 'messages.js', 'search.js', 'presence.js', 'crm-panel.js', 'knowledge.js'].map((f) => `${dir}${f}`), {
      allowJs: true, checkJs: true, noEmit: true, target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'], types: [],
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(problems).toEqual([]);
  }, 30_000);
});
