import { Logger } from '@nestjs/common';
import { LogMailer } from './log-mailer';

describe('LogMailer', () => {
  const message = {
    to: 'ada@example.com',
    subject: 'Reset your password',
    text: 'Open https://app.example/reset-password?token=SECRET-TOKEN',
    html: '<a href="https://app.example/reset-password?token=SECRET-TOKEN">Reset</a>',
  };

  it('logs recipient and subject but never the body when it must not reveal it (production)', async () => {
    const log = jest.fn();
    await new LogMailer(false, { log }).send(message);
    expect(log).toHaveBeenCalledTimes(1);
    const written = JSON.stringify(log.mock.calls);
    expect(written).toContain('ada@example.com');
    expect(written).toContain('Reset your password');
    expect(written).not.toContain('SECRET-TOKEN');
  });

  it('logs the text body, link included, for developers outside production', async () => {
    const log = jest.fn();
    await new LogMailer(true, { log }).send(message);
    expect(JSON.stringify(log.mock.calls)).toContain('https://app.example/reset-password?token=SECRET-TOKEN');
  });

  it('dispatch sends in the background and logs a failure instead of throwing it', async () => {
    const logError = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const mailer = new LogMailer(false, { log: jest.fn() });
    const send = jest.spyOn(mailer, 'send').mockRejectedValue(new Error('relay down'));
    expect(() => mailer.dispatch(message)).not.toThrow();
    await mailer.beforeApplicationShutdown();
    expect(send).toHaveBeenCalledWith(message);
    expect(logError).toHaveBeenCalledWith(expect.anything(), 'Sending "Reset your password" failed');
    expect(JSON.stringify(logError.mock.calls)).not.toContain('SECRET-TOKEN');
    logError.mockRestore();
  });
});
