/**
 * The Chromium the console's browser tests drive: the system's (Debian's `chromium` package; `.ci/run`
 * installs it), launched headless with the same switches in every test file.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the system's Chromium is. */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether it is installed (the browser tests skip, saying so, when it is not). */
export const chromiumAvailable = existsSync(CHROMIUM);

/** Launches it headless, without the sandbox (containers) and without background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** How many CSS pixels the page is wider than its viewport (0 when nothing sticks out). */
export function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
