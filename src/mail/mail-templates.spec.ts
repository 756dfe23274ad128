import { describeDuration, escapeHtml, passwordResetMessage, verifyEmailMessage } from './mail-templates';

describe('mail templates', () => {
  const hostile = 'https://app.example/verify?token=abc&next="><script>alert(1)</script>';

  it.each([
    ['verify email', verifyEmailMessage],
    ['password reset', passwordResetMessage],
  ])('%s: puts the link in both parts, escaped in the HTML', (_name, template) => {
    const message = template({ to: 'ada@example.com', link: hostile, expiresInSeconds: 1800 });
    expect(message.to).toBe('ada@example.com');
    expect(message.subject).not.toBe('');
    expect(message.text).toContain(hostile);
    expect(message.text).toContain('30 minutes');
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain(
      'href="https://app.example/verify?token=abc&amp;next=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it.each([
    [1800, '30 minutes'],
    [60, '1 minute'],
    [3600, '1 hour'],
    [7200, '2 hours'],
    [86400, '1 day'],
    [90, '1 minute'],
    [45, '45 seconds'],
  ])('describes %i seconds as "%s"', (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});
