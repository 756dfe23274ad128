/**
 * A stand-in for a browser in single sign-on tests: Node's fetch with redirects followed by hand, a
 * cookie jar, and just enough HTML reading to submit the test provider's login and consent forms.
 */

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly host: string;
  readonly path: string;
  readonly expiresAt?: number;
}

/**
 * Cookies by host name and path, as a browser keeps them for plain-HTTP test servers: ports do not
 * separate cookies, Domain is taken as the host itself, SameSite and Secure are not enforced.
 */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Stores the Set-Cookie headers of a response to `url`. */
  store(url: URL, setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const [pair, ...attributes] = header.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      let path = defaultPath(url);
      let expiresAt: number | undefined;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attributeValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            if (attributeValue.startsWith('/')) path = attributeValue;
            break;
          case 'max-age':
            // Max-Age wins over Expires, whatever their order.
            expiresAt = Date.now() + Number(attributeValue) * 1000;
            break;
          case 'expires':
            if (!/max-age/i.test(header)) expiresAt = Date.parse(attributeValue);
            break;
        }
      }
      const key = `${url.hostname} ${path} ${name}`;
      if (expiresAt !== undefined && expiresAt <= Date.now()) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, host: url.hostname, path, expiresAt });
    }
  }

  /** The Cookie header a request to `url` carries, or undefined for none. */
  header(url: URL): string | undefined {
    const now = Date.now();
    const matching = [...this.cookies.values()]
      .filter((cookie) => cookie.host === url.hostname && pathMatches(url.pathname, cookie.path))
      .filter((cookie) => cookie.expiresAt === undefined || cookie.expiresAt > now)
      // Longer paths first, as browsers send them.
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }
}

function defaultPath(url: URL): string {
  const lastSlash = url.pathname.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : url.pathname.slice(0, lastSlash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

export interface SsoFlowOptions {
  /** The account (its `sub`) to type into the provider's login form. */
  login: string;
  /** The first redirect to a URL starting with this ends the flow (not fetched). */
  stopAt: string;
  /** Decline at the consent page instead of allowing. */
  decline?: boolean;
  /** Sent with every request, e.g. a user agent. */
  headers?: Record<string, string>;
  /** A jar to share between flows (a user already signed in at the provider); a fresh one by default. */
  jar?: CookieJar;
  /** Requests before giving up, against redirect loops. */
  maxSteps?: number;
}

interface Request {
  readonly url: URL;
  readonly method: 'GET' | 'POST';
  readonly body?: URLSearchParams;
}

/**
 * Follows redirects from `startUrl` through the provider's login and consent as `login` (an
 * account's sub), with a cookie jar per flow, and stops at the first redirect whose URL starts with
 * `stopAt` (the app's redirect_uri), returning that URL without fetching it. Any server may sit on
 * the way (an app's /callback that redirects on to `stopAt`); a page that is neither a redirect nor
 * a form to fill ends the flow with an error that shows it.
 */
export async function followSsoFlow(startUrl: string, options: SsoFlowOptions): Promise<URL> {
  const jar = options.jar ?? new CookieJar();
  const maxSteps = options.maxSteps ?? 20;
  let request: Request = { url: new URL(startUrl), method: 'GET' };
  const visited: string[] = [];

  for (let step = 0; step < maxSteps; step += 1) {
    visited.push(`${request.method} ${request.url.href}`);
    const headers = new Headers(options.headers);
    const cookie = jar.header(request.url);
    if (cookie) headers.set('cookie', cookie);
    if (request.body) headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body?.toString(),
      redirect: 'manual',
    });
    jar.store(request.url, response.headers.getSetCookie());

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (next.href.startsWith(options.stopAt)) return next;
      // 307 and 308 repeat the request as it was; the others turn it into a GET.
      request =
        response.status === 307 || response.status === 308 ? { ...request, url: next } : { url: next, method: 'GET' };
      continue;
    }

    const text = await response.text();
    const form = response.ok ? chooseForm(parseForms(text, request.url), options) : undefined;
    if (!form) {
      throw new Error(
        `SSO flow stuck at ${response.status} ${request.url.href} after:\n  ${visited.join('\n  ')}\n${text.slice(0, 1000)}`,
      );
    }
    request = form;
  }
  throw new Error(`SSO flow did not reach ${options.stopAt} in ${maxSteps} requests:\n  ${visited.join('\n  ')}`);
}

interface Form {
  readonly action: URL;
  readonly method: 'GET' | 'POST';
  readonly inputs: Array<{ name: string; value: string; type: string }>;
}

const LOGIN_FIELDS = new Set(['login', 'username', 'email']);
const DECLINE_ACTIONS = /\/(abort|cancel|decline|deny)$/i;

/** The login form, filled in; else, on a consent page, the allow or (with `decline`) the decline form. */
function chooseForm(forms: Form[], options: SsoFlowOptions): Request | undefined {
  const isDecline = (form: Form) => DECLINE_ACTIONS.test(form.action.pathname);
  const loginForm = forms.find((form) => !isDecline(form) && form.inputs.some((input) => LOGIN_FIELDS.has(input.name)));
  const chosen = loginForm ?? (options.decline ? forms.find(isDecline) : forms.find((form) => !isDecline(form)));
  if (!chosen) return undefined;
  const body = new URLSearchParams();
  for (const input of chosen.inputs) {
    if (LOGIN_FIELDS.has(input.name)) body.append(input.name, options.login);
    else if (input.type === 'password') body.append(input.name, 'any password');
    else body.append(input.name, input.value);
  }
  if (chosen.method === 'GET') {
    const url = new URL(chosen.action);
    url.search = body.toString();
    return { url, method: 'GET' };
  }
  return { url: chosen.action, method: 'POST', body };
}

/** The forms of a page: enough of HTML for generated pages, not for arbitrary markup. */
function parseForms(html: string, base: URL): Form[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, formAttributes, content]) => {
    const form = attributesOf(formAttributes);
    const inputs = [...content.matchAll(/<input\b([^>]*)>/gi)]
      .map(([, inputAttributes]) => attributesOf(inputAttributes))
      .filter((input) => input.name !== undefined)
      .map((input) => ({ name: input.name!, value: input.value ?? '', type: (input.type ?? 'text').toLowerCase() }));
    return {
      action: new URL(form.action ?? '', base),
      method: form.method?.toUpperCase() === 'POST' ? 'POST' : 'GET',
      inputs,
    };
  });
}

function attributesOf(source: string): Record<string, string | undefined> {
  const attributes: Record<string, string | undefined> = {};
  for (const [, name, doubleQuoted, singleQuoted, bare] of source.matchAll(
    /([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g,
  )) {
    attributes[name.toLowerCase()] = decodeEntities(doubleQuoted ?? singleQuoted ?? bare ?? '');
  }
  return attributes;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, code: string) => {
    if (code.startsWith('#x') || code.startsWith('#X')) return String.fromCodePoint(parseInt(code.slice(2), 16));
    if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
    return named[code.toLowerCase()] ?? entity;
  });
}
