import type { Browser } from 'playwright-core';

/** Debian's Chromium, headless (CHROMIUM_PATH names another binary). */
export function launchChromium(): Promise<Browser>;
