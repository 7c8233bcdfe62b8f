// Debian's Chromium, headless, driven by playwright-core (never `npx playwright install`: that
// downloads a browser, which this machine cannot).
import * as fs from 'fs';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.NETSTACK_CHROMIUM || '/usr/bin/chromium';

export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install -y chromium)`;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // playwright gives every launch a fresh temporary profile (a --user-data-dir of its own)
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
