import pino from 'pino';
import { Writable } from 'node:stream';
import { REDACTED_PATHS } from './logging.module';

function logLine(object: object): string {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  pino({ redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } }, sink).info(object, 'entry');
  return output;
}

describe('log redaction', () => {
  it('removes credentials from request headers and response cookies', () => {
    const line = logLine({
      req: {
        headers: { authorization: 'Bearer eyJhbGciOi.secret', cookie: 'refresh_token=abc123', 'user-agent': 'curl' },
      },
      res: { headers: { 'set-cookie': 'refresh_token=def456' } },
    });
    expect(line).not.toMatch(/eyJhbGciOi|abc123|def456/);
    expect(line).toContain('curl');
  });

  it('removes passwords and tokens wherever a body is logged', () => {
    const line = logLine({
      password: 'top-level-pass',
      body: {
        email: 'a@example.com',
        password: 'hunter2',
        newPassword: 'n3w',
        currentPassword: 'old',
        refreshToken: 'rt',
        token: 'reset',
      },
      result: { accessToken: 'at' },
    });
    expect(line).not.toMatch(/top-level-pass|hunter2|n3w|"old"|"rt"|"reset"|"at"/);
    expect(line).toContain('a@example.com');
  });
});
