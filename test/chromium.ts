/** Debian's chromium through playwright-core, launched alike by every test that reads a page. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** The chromium of this test process, on globalThis: the files a worker runs one after the other share it. */
const RUNNING = Symbol.for('rehearse.test.chromium');
type Holder = { [RUNNING]?: Promise<Browser> };

/**
 * A headless chromium with nothing of its own on the network; throws when chromium is not installed. The test
 * process launches one (about a second and a half of CPU) and each call gets its own handle on it: the contexts
 * and pages made through the handle are its own (each context a fresh profile, as a browser just launched has),
 * and `close()` closes them, leaving chromium to the next file. Playwright ends chromium when the process exits.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const holder = globalThis as Holder;
  let browser = await (holder[RUNNING] ??= chromium.launch({ executablePath: CHROMIUM, args: ARGS }));
  if (!browser.isConnected()) browser = await (holder[RUNNING] = chromium.launch({ executablePath: CHROMIUM, args: ARGS }));
  return handleOn(browser);
}

/** A Browser whose newContext and newPage keep what they make, and whose close() closes that, not chromium. */
function handleOn(browser: Browser): Browser {
  const made = new Set<BrowserContext>();
  const own: Partial<Browser> = {
    newContext: async (...args: Parameters<Browser['newContext']>) => {
      const context = await browser.newContext(...args);
      made.add(context);
      return context;
    },
    newPage: async (...args: Parameters<Browser['newPage']>) => {
      const page = await browser.newPage(...args);
      made.add(page.context());
      return page;
    },
    contexts: () => browser.contexts().filter((c) => made.has(c)),
    close: async () => {
      await Promise.all([...made].map((c) => c.close().catch(() => {})));
      made.clear();
    },
  };
  return new Proxy(browser, {
    get(target, key) {
      if (Object.hasOwn(own, key)) return own[key as keyof Browser];
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A chromium for the tests of the calling file or describe block: launched before them, closed after. Returns the
 * browser's getter (the browser exists only once the hook has run).
 */
export function sharedChromium(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

/** Collects a page's console errors, uncaught errors and dialogs (dismissed) into `errors`. */
export function watchErrors(page: Page, errors: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
}

/** Waits until a report page has drawn its charts, or said why it could not (data-rendered, data-render-error). */
export async function rendered(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 120_000 });
}
