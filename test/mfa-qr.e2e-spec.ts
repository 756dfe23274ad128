import { NestFastifyApplication } from '@nestjs/platform-fastify';
import jsQR from 'jsqr';
import { writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import request from 'supertest';
import { register } from './support/accounts';
import { CHROMIUM, describeInChromium, screenshotPath } from './support/chromium';
import { startTestApp } from './support/test-app';

const SCREENSHOT = screenshotPath('mfa-enrolment-qr.png');

describeInChromium('Enrolment QR browser test')('The enrolment QR code in a real browser', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('renders as an image in Chromium that a QR reader decodes to the otpauth:// URI', async () => {
    const pair = await register(app.getHttpServer(), 'ada.lovelace@example.com'.replace('@', `+${Date.now()}@`));
    const enrolment = await request(app.getHttpServer())
      .post('/api/v1/auth/mfa/totp')
      .set('authorization', `Bearer ${pair.accessToken}`);
    expect(enrolment.status).toBe(201);

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 420, height: 480 } });
      await page.setContent(
        `<main style="font-family: sans-serif; padding: 16px">
           <h3>Scan with your authenticator app</h3>
           <img id="qr" alt="QR code" width="320" height="320" src="${enrolment.body.qrCodeDataUrl as string}">
         </main>`,
      );
      const image = page.locator('#qr');
      await image.waitFor();
      // The browser decoded the SVG: an image with a size, not a broken-image icon.
      const naturalWidth = await image.evaluate(
        (element) => (element as unknown as { naturalWidth: number }).naturalWidth,
      );
      expect(naturalWidth).toBeGreaterThan(0);
      const shot = await image.screenshot();
      if (SCREENSHOT) await writeFile(SCREENSHOT, await page.screenshot());

      const png = PNG.sync.read(shot);
      const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      expect(decoded?.data).toBe(enrolment.body.otpauthUrl);
    } finally {
      await browser.close();
    }
  });
});
