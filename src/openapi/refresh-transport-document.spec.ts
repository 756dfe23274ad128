import { OpenAPIObject } from '@nestjs/swagger';
import { documentRefreshTransport } from './refresh-transport-document';

function documentOf(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/v1/auth/refresh': { post: { responses: {} } },
      '/api/v1/auth/logout': { post: { responses: {} } },
      '/api/v1/auth/me': { get: { responses: {} } },
    },
    components: {
      schemas: {
        RefreshTokenDto: { type: 'object', properties: { refreshToken: { type: 'string' } } },
        TokenPairDto: { type: 'object', required: ['accessToken'], properties: {} },
      },
    },
  };
}

const parameterNames = (document: OpenAPIObject, path: string) =>
  (document.paths[path].post?.parameters ?? []).map((parameter) => ('name' in parameter ? parameter.name : ''));

describe('documentRefreshTransport', () => {
  it('body: the token is required in requests and present in token pairs; no cookie is documented', () => {
    const document = documentRefreshTransport(documentOf(), 'body');
    expect(document.components?.schemas?.RefreshTokenDto).toMatchObject({ required: ['refreshToken'] });
    expect(document.components?.schemas?.TokenPairDto).toMatchObject({ required: ['accessToken', 'refreshToken'] });
    expect(parameterNames(document, '/api/v1/auth/refresh')).toEqual([]);
  });

  it('both: optional in requests, which may carry the cookie; still present in token pairs', () => {
    const document = documentRefreshTransport(documentOf(), 'both');
    expect(document.components?.schemas?.RefreshTokenDto).not.toHaveProperty('required');
    expect(document.components?.schemas?.TokenPairDto).toMatchObject({ required: ['accessToken', 'refreshToken'] });
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) {
      expect(parameterNames(document, path)).toEqual(['refresh_token', 'x-requested-with']);
    }
    expect(document.paths['/api/v1/auth/me'].get?.parameters).toBeUndefined();
  });

  it('cookie: token pairs leave the token out', () => {
    const document = documentRefreshTransport(documentOf(), 'cookie');
    expect(document.components?.schemas?.TokenPairDto).toMatchObject({ required: ['accessToken'] });
    expect(parameterNames(document, '/api/v1/auth/logout')).toEqual(['refresh_token', 'x-requested-with']);
  });
});
