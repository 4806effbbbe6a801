import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for browser tests. Uses the system Chromium (CHROMIUM_PATH or
 * /usr/bin/chromium); playwright's own browser downloads are never used. `args` adds flags
 * (voice suites: the fake microphone and permission prompt).
 */
export function launchBrowser(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...args,
    ],
  });
}
