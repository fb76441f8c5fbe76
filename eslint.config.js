// Lint for the whole monorepo. Import boundaries are enforced here, not by review:
// core imports no workspace package and no express/mongoose; connectors import only core;
// only the host touches Express and Mongoose; nothing imports examples or test.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const serverLibs = ['express', 'express/*', 'mongoose', 'mongoose/*'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/api/**', 'coverage/**', 'bench-results/**', 'test-output/**', 'client/src/openapi-types.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', AbortController: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-redeclare': 'off',
      'no-redeclare': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@switchboard/*'], message: 'core imports no workspace package' },
          { group: serverLibs, message: 'core imports no express or mongoose' },
          { group: ['../../*/**', '**/connectors/**', '**/host/**', '**/examples/**', '**/test/**'], message: 'core may not reach into other packages' },
        ],
      }],
    },
  },
  {
    files: ['connectors/*/src/**/*.ts'],
    ignores: ['connectors/*/src/**/*.test.ts', 'connectors/*/src/__fixtures__/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@switchboard/*', '!@switchboard/core', '!@switchboard/core/di'], message: 'a connector imports only @switchboard/core' },
          { group: [...serverLibs, 'rxjs', 'rxjs/*', 'inversify', 'inversify/*'], message: 'a connector imports only @switchboard/core (and @switchboard/core/di) and Node built-ins' },
          { group: ['../../*', '../../**', '**/host/**', '**/examples/**', '**/test/**'], message: 'a connector may not reach into other packages' },
        ],
      }],
    },
  },
  {
    files: ['connectors/*/src/**/*.test.ts', 'connectors/*/src/__fixtures__/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@switchboard/*', '!@switchboard/core', '!@switchboard/core/di', '!@switchboard/testkit'], message: 'connector tests import only core and the testkit' }],
      }],
    },
  },
  {
    files: ['host/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@switchboard/whatsapp', '@switchboard/messenger', '@switchboard/telegram', '@switchboard/viber', '@switchboard/apple'], message: 'the host knows connectors only as plugins loaded by name from its config' },
          { group: ['**/connectors/**', '**/examples/**', '**/test/**'], message: 'the host may not reach into other packages' },
        ],
      }],
    },
  },
);
