/*
 * Debian's Chromium, headless, for the browser tests (e2e/) and the stock app's check
 * (scripts/stock-app.sh). Without the background-networking flags Chromium keeps trying hosts
 * that this machine's closed network refuses. CHROMIUM_PATH names another binary.
 */
const { chromium } = require('playwright-core');

function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

module.exports = { launchChromium };
