import { existsSync } from 'node:fs';
import { join } from 'node:path';

// Debian's package (`apt-get install chromium`); playwright-core downloads no browser of its own.
export const CHROMIUM = '/usr/bin/chromium';

/** `describe` when Chromium is installed, else `describe.skip` with a warning, so a skip is never mistaken for a pass. */
export function describeInChromium(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  console.warn(`${what} skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return describe.skip;
}

/** With UPDATE_SCREENSHOTS=1, where the README's pictures go (docs/); otherwise undefined. */
export function screenshotPath(file: string): string | undefined {
  return process.env.UPDATE_SCREENSHOTS === '1' ? join(__dirname, '../../docs', file) : undefined;
}
