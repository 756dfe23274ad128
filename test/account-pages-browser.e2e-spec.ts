import { readFileSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import request from 'supertest';
import { login, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { CHROMIUM, describeInChromium } from './support/chromium';
import { freePort } from './support/free-port';
import { MailTestApp, startMailTestApp } from './support/mail-test-app';
import { ReceivedMail } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const NEW_PASSWORD = 'a brand new passphrase for the reset test';

/** The link a mail carries, as the user's mail client would open it. */
function linkIn(mail: ReceivedMail): string {
  const link = /https?:\/\/\S+?token=[\w-]+/.exec(mail.text)?.[0];
  if (!link) throw new Error(`No link in the mail: ${mail.text}`);
  return link;
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly nodes: readonly unknown[];
}

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now; evaluated over DevTools, so the page's CSP does not apply. */
async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    return (await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }))
      .violations;
  });
  return violations.map(({ id, impact, nodes }) => `${id} (${impact}, ${nodes.length} elements)`);
}

interface Message {
  readonly role: string | null;
  readonly text: string;
}

/** The little of the DOM these page functions touch (the tests compile without the DOM's types). */
interface PageGlobals {
  readonly document: {
    getElementById(id: string): {
      hidden: boolean;
      classList: { contains(name: string): boolean };
      textContent: string | null;
      getAttribute(name: string): string | null;
    } | null;
    readonly activeElement: { readonly id: string } | null;
  };
}

/** The page's message once it is no longer "in progress" and differs from `previous`. */
async function settledMessage(page: Page, previous = ''): Promise<Message> {
  const handle = await page.waitForFunction((before) => {
    const status = (globalThis as unknown as PageGlobals).document.getElementById('status');
    if (!status || status.hidden || status.classList.contains('pending') || status.textContent === before) return null;
    return { role: status.getAttribute('role'), text: status.textContent ?? '' };
  }, previous);
  return (await handle.jsonValue()) as Message;
}

const focusedId = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id);

describeInChromium('Hosted account pages browser test')('the hosted reset and verification pages in Chromium', () => {
  let mail: MailTestApp;
  let browser: Browser;
  let publicUrl: string;
  let problems: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    mail = await startMailTestApp({ PUBLIC_URL: publicUrl });
    await mail.app.listen(port, '127.0.0.1');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await mail?.close();
  });

  beforeEach(() => {
    problems = [];
  });

  /** A page that records CSP violations, script errors and failed requests (but the favicon's) into `problems`. */
  async function openPage(url: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        problems.push(message.text());
      }
    });
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (response.status() >= 400 && path !== '/favicon.ico') problems.push(`${response.status()} ${path}`);
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(url);
    return page;
  }

  it('verifies an email address from the mailed link, and takes the token out of the address bar', async () => {
    const email = uniqueEmail('verify-page');
    const account = await register(mail.server, email);
    const [verification] = await mail.sink.waitFor(email, 'Confirm your email address');
    const link = linkIn(verification);
    expect(link.startsWith(`${publicUrl}/verify-email?token=`)).toBe(true);

    const page = await openPage(link);
    expect(await settledMessage(page)).toEqual({
      role: 'status',
      text: 'Your email address is verified. You can close this page.',
    });
    expect(page.url()).toBe(`${publicUrl}/verify-email`);
    expect(await accessibilityViolations(page)).toEqual([]);

    const me = await request(mail.server).get('/api/v1/auth/me').set('authorization', `Bearer ${account.accessToken}`);
    expect(me.body.emailVerified).toBe(true);

    // The same link a second time: used.
    await page.goto(link);
    expect(await settledMessage(page)).toEqual({
      role: 'alert',
      text: 'This link has expired or has already been used. Ask for a new one.',
    });
    await page.close();
    // The used link's 400 is the one the page was meant to meet.
    expect(problems).toEqual(['400 /api/v1/auth/verify-email']);
  }, 60000);

  it('resets a password from the mailed link: refuses a mismatch and a weak password, then logs in with the new one', async () => {
    const email = uniqueEmail('reset-page');
    await register(mail.server, email);
    await request(mail.server).post('/api/v1/auth/forgot-password').send({ email }).expect(202);
    const [reset] = await mail.sink.waitFor(email, 'Reset your password');
    const page = await openPage(linkIn(reset));
    expect(page.url()).toBe(`${publicUrl}/reset-password`);
    expect(await accessibilityViolations(page)).toEqual([]);

    const password = page.getByLabel('New password', { exact: true });
    const again = page.getByLabel('New password again');
    const submit = page.getByRole('button', { name: 'Set the new password' });

    await password.fill(NEW_PASSWORD);
    await again.fill(`${NEW_PASSWORD}!`);
    await submit.click();
    const mismatch = await settledMessage(page);
    expect(mismatch).toEqual({ role: 'alert', text: 'The two passwords are not the same.' });
    expect(await focusedId(page)).toBe('confirm-password');

    await password.fill('password');
    await again.fill('password');
    await submit.click();
    const weak = await settledMessage(page, mismatch.text);
    expect(weak.role).toBe('alert');
    expect(weak.text).toMatch(/common|breach|at least/i);
    expect(await focusedId(page)).toBe('new-password');

    await password.fill(NEW_PASSWORD);
    await again.fill(NEW_PASSWORD);
    await submit.click();
    expect(await settledMessage(page, weak.text)).toEqual({
      role: 'status',
      text: 'Your password is set, and every session of your account has ended. Log in with it now.',
    });
    expect(await page.locator('form').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.close();

    expect((await login(mail.server, email, NEW_PASSWORD)).accessToken).toEqual(expect.any(String));
    await request(mail.server).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(401);
    // The weak password's 400 is the one rejection the page was meant to meet.
    expect(problems).toEqual(['400 /api/v1/auth/reset-password']);
  }, 60000);

  it('says a link without its token is incomplete, and offers no form', async () => {
    const page = await openPage(`${publicUrl}/reset-password`);
    expect(await settledMessage(page)).toEqual({
      role: 'alert',
      text: 'This link is incomplete. Open the link from the email again, or ask for a new one.',
    });
    expect(await page.locator('form').count()).toBe(0);
    await page.close();
  }, 30000);
});

describe('hosted account pages over HTTP', () => {
  it('serves them with a policy that allows no inline code and sends no referrer, and not at all when turned off', async () => {
    const on = await startTestApp();
    try {
      const page = await request(on.getHttpServer()).get('/reset-password?token=x').expect(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toContain("script-src 'self';");
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).not.toMatch(/<script>|<style>|\son\w+=/);
      await request(on.getHttpServer())
        .get('/account-pages/account-pages.js')
        .expect('content-type', /javascript/);
      await request(on.getHttpServer()).get('/account-pages/other.js').expect(404);
    } finally {
      await on.close();
    }

    const off = await startTestApp({ env: { ACCOUNT_PAGES_ENABLED: 'false' } });
    try {
      for (const path of ['/reset-password', '/verify-email', '/account-pages/account-pages.js']) {
        await request(off.getHttpServer()).get(path).expect(404);
      }
    } finally {
      await off.close();
    }
  });
});
