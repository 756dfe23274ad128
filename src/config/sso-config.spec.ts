import { loadAppConfig } from './app-config';
import { configProblemsOf as problemsOf } from './config-problems.fake';

const base = { DATABASE_URL: 'postgresql://localhost/auth' };

describe('loadAppConfig: single sign-on (SSO_*)', () => {
  it('reads providers with their defaults', () => {
    const config = loadAppConfig({
      ...base,
      SSO_PROVIDERS: JSON.stringify([
        {
          name: 'okta',
          issuer: 'https://corp.okta.com',
          clientId: 'svc',
          clientSecret: 's',
          emailDomains: ['Corp.Example'],
        },
      ]),
      SSO_REDIRECT_URIS: 'https://app.example.com/sso, http://localhost:5173/sso',
    });
    expect(config.sso).toEqual({
      providers: [
        {
          name: 'okta',
          displayName: 'okta',
          type: 'oidc',
          issuer: 'https://corp.okta.com',
          clientId: 'svc',
          clientAuthentication: { method: 'client_secret_basic', secret: 's' },
          scopes: ['openid', 'email', 'profile'],
          emailDomains: ['corp.example'],
          trustSecondFactor: false,
        },
      ],
      redirectUris: ['https://app.example.com/sso', 'http://localhost:5173/sso'],
    });
  });

  it('gives GitHub its endpoints and scopes, and a plain OAuth 2.0 server the endpoints configured', () => {
    const config = loadAppConfig({
      ...base,
      SSO_PROVIDERS: JSON.stringify([
        { name: 'github', type: 'github', clientId: 'Iv1.abc', clientSecret: 's' },
        {
          name: 'legacy',
          type: 'oauth2',
          authorizationEndpoint: 'https://sso.example.com/oauth/authorize',
          tokenEndpoint: 'https://sso.example.com/oauth/token',
          userinfoEndpoint: 'https://sso.example.com/oauth/userinfo',
          clientId: 'svc',
          clientSecret: 's',
        },
      ]),
    });
    expect(config.sso.providers).toEqual([
      expect.objectContaining({
        name: 'github',
        type: 'github',
        issuer: 'https://github.com',
        scopes: ['read:user', 'user:email'],
        endpoints: {
          authorization: 'https://github.com/login/oauth/authorize',
          token: 'https://github.com/login/oauth/access_token',
          userinfo: 'https://api.github.com/user',
        },
      }),
      expect.objectContaining({
        name: 'legacy',
        type: 'oauth2',
        issuer: 'https://sso.example.com',
        endpoints: {
          authorization: 'https://sso.example.com/oauth/authorize',
          token: 'https://sso.example.com/oauth/token',
          userinfo: 'https://sso.example.com/oauth/userinfo',
        },
      }),
    ]);
    expect(
      problemsOf({
        SSO_PROVIDERS: JSON.stringify([{ name: 'x', type: 'oauth2', clientId: 'svc', clientSecret: 's' }]),
      }),
    ).toEqual([
      'SSO_PROVIDERS provider "x": authorizationEndpoint is required for type oauth2',
      'SSO_PROVIDERS provider "x": tokenEndpoint is required for type oauth2',
      'SSO_PROVIDERS provider "x": userinfoEndpoint is required for type oauth2',
      'SSO_PROVIDERS provider "x": authorizationEndpoint is required',
    ]);
  });

  it('names every problem of every provider, never a secret', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      SSO_PROVIDERS: JSON.stringify([
        {
          name: 'Bad Name',
          issuer: 'http://idp.example.com',
          clientId: 'svc',
          clientSecret: 'hunter2-secret',
          colour: 'red',
        },
        {
          name: 'kc',
          issuer: 'https://kc.example.com/realms/x',
          clientId: 'svc',
          tokenEndpointAuthMethod: 'private_key_jwt',
        },
        {
          name: 'kc',
          issuer: 'https://kc.example.com/realms/y',
          clientId: 'svc',
          clientSecret: 's',
          scopes: ['email'],
        },
      ]),
      SSO_REDIRECT_URIS: 'http://app.example.com/sso',
    }).filter((problem) => problem.startsWith('SSO_'));
    expect(problems).toEqual([
      'SSO_PROVIDERS provider "Bad Name": has an unknown field "colour"',
      'SSO_PROVIDERS provider "Bad Name": name must be lower-case letters, digits and dashes (at most 32)',
      'SSO_PROVIDERS provider "Bad Name": issuer must be an https URL without query or fragment',
      'SSO_PROVIDERS provider "kc": privateKeyJwk must be a private JWK (with "d") for private_key_jwt',
      'SSO_PROVIDERS provider "kc": scopes must include openid',
      'SSO_REDIRECT_URIS has "http://app.example.com/sso", which is not an https URL without a fragment (http only for localhost in production)',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problemsOf({ SSO_PROVIDERS: '[{"name": "x",' })).toEqual([
      'SSO_PROVIDERS must be a JSON array of providers (it does not parse as JSON)',
    ]);
  });
});
