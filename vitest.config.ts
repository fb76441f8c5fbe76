import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

// Tests run against source: every workspace package resolves to its src/, so no build is needed first.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@switchboard\/core\/di$/, replacement: here('./core/src/di.ts') },
      { find: /^@switchboard\/core$/, replacement: here('./core/src/index.ts') },
      { find: /^@switchboard\/testkit$/, replacement: here('./test/testkit/src/index.ts') },
      { find: /^@switchboard\/client$/, replacement: here('./client/src/index.ts') },
      { find: /^@switchboard\/host$/, replacement: here('./host/src/index.ts') },
      { find: /^@switchboard\/host\/testing$/, replacement: here('./host/src/testing.ts') },
      { find: /^@switchboard\/(whatsapp|messenger|telegram|viber|apple)$/, replacement: here('./connectors/$1/src/index.ts') },
    ],
  },
  test: {
    // every package's dist/ built once before the tests (tarballs and the built bin need it)
    globalSetup: ['./test/global-setup.ts'],
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // limits, not measurements: a loaded machine may be slow, a test is never judged on its speed
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll waits for a condition; its bound is a safety net, not a deadline (the default 1 s
    // failed the console's browser test on a loaded machine: a preview that updates on input took longer)
    expect: { poll: { timeout: 30_000 } },
    pool: 'forks',
  },
});
