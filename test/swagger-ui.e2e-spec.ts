import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { register } from './support/accounts';
import { CHROMIUM, describeInChromium } from './support/chromium';
import { startTestApp } from './support/test-app';

// UPDATE_SCREENSHOTS=1 refreshes the README's screenshot; other runs keep theirs in a temporary folder.
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? join(__dirname, '../docs') : undefined;

describeInChromium('Swagger UI browser test')('Swagger UI in a real browser', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startTestApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('authorizes with a token from a login and gets 200 from "Try it out" on GET /auth/me', async () => {
    const user = await register(app.getHttpServer());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    await page.goto(`${baseUrl}/docs`);

    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(user.accessToken);
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux .auth-btn-wrapper button.btn-done').click();

    const operation = page.locator('#operations-auth-me');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();

    const live = operation.locator('.live-responses-table .response');
    await live.locator('.response-col_status').first().waitFor();
    expect((await live.locator('.response-col_status').first().innerText()).trim()).toBe('200');
    expect(await live.locator('.highlight-code, .microlight').first().innerText()).toContain(user.user.email);
    expect(cspViolations).toEqual([]);

    const folder = SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'swagger-ui-')));
    await operation.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(folder, 'swagger-ui.png'), fullPage: false });
  }, 60000);
});
