import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeJwt } from 'jose';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, CDPSession, chromium, Page } from 'playwright-core';
import request from 'supertest';
import { bearer, register, STRONG_PASSWORD } from './support/accounts';
import { CHROMIUM, describeInChromium } from './support/chromium';
import { startTestApp } from './support/test-app';
import { freePort } from './support/free-port';

// @simplewebauthn/browser as a web app ships it: the README's snippet runs in the page with it.
const BROWSER_LIBRARY = readFileSync(
  join(__dirname, '../node_modules/@simplewebauthn/browser/dist/bundle/index.umd.min.js'),
  'utf8',
);

type Json = Record<string, unknown>;

/** A tab with a CDP virtual authenticator: CTAP2 over the internal transport, resident keys, user verification. */
async function tabWithAuthenticator(
  browser: Browser,
  url: string,
): Promise<{ page: Page; cdp: CDPSession; authenticatorId: string }> {
  const page = await browser.newPage();
  await page.goto(url);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.evaluate(BROWSER_LIBRARY);
  return { page, cdp, authenticatorId };
}

/** navigator.credentials.create() through @simplewebauthn/browser, in the page. */
function create(page: Page, optionsJSON: Json): Promise<Json> {
  return page.evaluate(
    (options) =>
      (
        globalThis as unknown as { SimpleWebAuthnBrowser: { startRegistration(o: unknown): Promise<Json> } }
      ).SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options }),
    optionsJSON,
  );
}

/** navigator.credentials.get() through @simplewebauthn/browser, in the page. */
function get(page: Page, optionsJSON: Json): Promise<Json> {
  return page.evaluate(
    (options) =>
      (
        globalThis as unknown as { SimpleWebAuthnBrowser: { startAuthentication(o: unknown): Promise<Json> } }
      ).SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options }),
    optionsJSON,
  );
}

/** A fetch from the page, as the web app on the service's origin makes it. */
function fetchInPage(
  page: Page,
  path: string,
  body: Json,
  accessToken?: string,
): Promise<{ status: number; body: Json }> {
  return page.evaluate(
    async ({ path, body, accessToken }) => {
      const response = await fetch(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Json };
    },
    { path, body, accessToken },
  );
}

describeInChromium('Passkeys browser test')('Passkeys in Chromium with a virtual authenticator', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let origin: string;
  let otherOrigin: string;
  let otherSite: Server;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    app = await startTestApp({
      env: {
        PUBLIC_URL: origin,
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: origin,
        WEBAUTHN_RP_NAME: 'Passkey e2e',
      },
    });
    await app.listen(port, '127.0.0.1');
    // Another site under the same RP ID (another port of localhost): the browser signs for it, the service must not accept.
    otherSite = createServer((_request, response) => response.end('<!doctype html><title>Look-alike</title>'));
    await new Promise<void>((resolve) => otherSite.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://localhost:${(otherSite.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => otherSite?.close(resolve));
    await app?.close();
  });

  it('registers a passkey, logs in with it alone, gives it as the second factor, and refuses a look-alike origin, a replay and a removed passkey', async () => {
    const server = app.getHttpServer();
    const account = await register(server);
    const { page, cdp, authenticatorId } = await tabWithAuthenticator(browser, `${origin}/api/v1/health`);

    // Register, from the page, with the options of the API.
    const creation = await fetchInPage(page, '/api/v1/auth/passkeys/registration/options', {}, account.accessToken);
    expect(creation.status).toBe(200);
    expect(creation.body).toMatchObject({ rp: { id: 'localhost', name: 'Passkey e2e' } });
    const attestation = await create(page, creation.body);
    const registered = await fetchInPage(
      page,
      '/api/v1/auth/passkeys/registration',
      { response: attestation, name: 'Chromium' },
      account.accessToken,
    );
    expect(registered).toMatchObject({ status: 201, body: { name: 'Chromium', backedUp: false, lastUsedAt: null } });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // Log in without a password or an email: the browser offers the discoverable credential.
    const request1 = await fetchInPage(page, '/api/v1/auth/passkeys/authentication/options', {});
    expect(request1.status).toBe(200);
    const assertion = await get(page, request1.body.options as Json);
    const login = await fetchInPage(page, '/api/v1/auth/passkeys/authentication', {
      challengeId: request1.body.challengeId,
      response: assertion,
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { id: account.user.id } });
    const claims = decodeJwt(login.body.accessToken as string);
    expect(claims).toMatchObject({ sub: account.user.id, amr: ['hwk', 'user'] });

    // The same assertion again: its challenge is used up.
    const replay = await fetchInPage(page, '/api/v1/auth/passkeys/authentication', {
      challengeId: request1.body.challengeId,
      response: assertion,
    });
    expect(replay).toMatchObject({ status: 401, body: { code: 'INVALID_PASSKEY' } });

    // The account's sessions show which one a passkey started.
    const sessions = await request(server)
      .get('/api/v1/auth/sessions')
      .set(bearer(login.body.accessToken as string));
    expect(sessions.body).toContainEqual(expect.objectContaining({ current: true, amr: ['hwk', 'user'] }));

    // A password login now needs a second factor, and the passkey is one.
    const passwordLogin = await request(server)
      .post('/api/v1/auth/login')
      .send({ email: account.user.email, password: STRONG_PASSWORD });
    expect(passwordLogin.status).toBe(403);
    expect(passwordLogin.body).toMatchObject({ code: 'MFA_REQUIRED', methods: ['webauthn'] });
    const secondFactorOptions = await fetchInPage(page, '/api/v1/auth/passkeys/authentication/options', {
      email: account.user.email,
    });
    expect((secondFactorOptions.body.options as Json).allowCredentials).toEqual([
      expect.objectContaining({ id: attestation.id, type: 'public-key' }),
    ]);
    const secondFactor = await get(page, secondFactorOptions.body.options as Json);
    const verified = await fetchInPage(page, '/api/v1/auth/mfa/verify', {
      mfaToken: passwordLogin.body.mfaToken,
      passkey: { challengeId: secondFactorOptions.body.challengeId, response: secondFactor },
    });
    expect(verified.status).toBe(200);
    expect(decodeJwt(verified.body.accessToken as string).amr).toEqual(['pwd', 'hwk', 'mfa']);

    // A look-alike site under the same RP ID: the authenticator signs, the service refuses the origin.
    const lookAlike = await tabWithAuthenticator(browser, otherOrigin);
    await lookAlike.cdp.send('WebAuthn.addCredential', {
      authenticatorId: lookAlike.authenticatorId,
      credential: { ...credentials[0], signCount: credentials[0].signCount + 10 },
    });
    const phishingOptions = await request(server).post('/api/v1/auth/passkeys/authentication/options').send({});
    const phished = await get(lookAlike.page, phishingOptions.body.options as Json);
    const phishedLogin = await request(server)
      .post('/api/v1/auth/passkeys/authentication')
      .send({ challengeId: phishingOptions.body.challengeId, response: phished });
    expect(phishedLogin.status).toBe(401);
    expect(phishedLogin.body).toMatchObject({ code: 'INVALID_PASSKEY', detail: expect.stringContaining('origin') });

    // Removed (the passkey login is a recent second factor, as the removal needs): it never signs in again.
    const removal = await request(server)
      .delete(`/api/v1/auth/passkeys/${registered.body.id as string}`)
      .set(bearer(login.body.accessToken as string));
    expect(removal.status).toBe(204);
    const afterRemoval = await fetchInPage(page, '/api/v1/auth/passkeys/authentication/options', {});
    const stale = await get(page, afterRemoval.body.options as Json);
    const staleLogin = await fetchInPage(page, '/api/v1/auth/passkeys/authentication', {
      challengeId: afterRemoval.body.challengeId,
      response: stale,
    });
    expect(staleLogin).toMatchObject({ status: 401, body: { code: 'INVALID_PASSKEY' } });
  }, 90000);
});
