/**
 * The web page under a real browser: Debian's chromium, headless, driven by
 * playwright-core (no browser download), against `bin/sif web`. Tests skip
 * with the reason when chromium is missing, and fail under
 * SIF_REQUIRE_REFERENCE=1 (CI installs it: .ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SIF_BIN } from './cli.js';
import { REPO_ROOT } from './reference.js';

export const CHROMIUM = process.env.SIF_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined. */
export const missingChromium = (): string | undefined =>
  existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (apt-get install chromium, or set SIF_CHROMIUM)`;

/** Screenshots of each state, for review (gitignored with the rest of .tap/). */
export const SCREENSHOTS = join(REPO_ROOT, '.tap/web-screenshots');

export const launchBrowser = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, headless: true });

/** `bin/sif web` as users start it: the process and the URL it printed. */
export async function startSifWeb(): Promise<{ url: string; child: ChildProcess }> {
  // stderr is kept for a failure's message; the tests end it with a signal, which it reports there.
  const child = spawn(SIF_BIN, ['web'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const first = await new Promise<string | undefined>((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', () => resolve(undefined));
  });
  if (!first) throw new Error(`sif web exited without printing its URL: ${stderr}`);
  return { url: first, child };
}

/** The page's state (body[data-state]) once it leaves `from`. */
export async function settled(page: Page, from: readonly string[], timeout = 120_000): Promise<string> {
  await page.waitForFunction((busy) => !busy.includes(document.body.dataset.state ?? ''), from, { timeout });
  return (await page.evaluate(() => document.body.dataset.state))!;
}

/** Saves a full-page screenshot named `name` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
