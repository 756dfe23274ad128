/** The messages this service mails, each as plain text and HTML. Every inserted value is HTML-escaped. */
import { MailMessage } from './mailer';

export interface LinkMailInput {
  readonly to: string;
  /** The link that carries the one-time token. */
  readonly link: string;
  /** How long the link works. */
  readonly expiresInSeconds: number;
}

export function verifyEmailMessage({ to, link, expiresInSeconds }: LinkMailInput): MailMessage {
  const lifetime = describeDuration(expiresInSeconds);
  return {
    to,
    subject: 'Confirm your email address',
    text: [
      'Please confirm that this is your email address by opening this link:',
      '',
      link,
      '',
      `The link works once and expires in ${lifetime}.`,
      'If you did not create an account, ignore this message.',
    ].join('\n'),
    html: htmlDocument([
      paragraph('Please confirm that this is your email address:'),
      button(link, 'Confirm email address'),
      paragraph(
        `The link works once and expires in ${lifetime}. If you did not create an account, ignore this message.`,
      ),
    ]),
  };
}

export function passwordResetMessage({ to, link, expiresInSeconds }: LinkMailInput): MailMessage {
  const lifetime = describeDuration(expiresInSeconds);
  return {
    to,
    subject: 'Reset your password',
    text: [
      'Someone asked to reset the password of your account. To choose a new password, open this link:',
      '',
      link,
      '',
      `The link works once and expires in ${lifetime}. Resetting signs you out everywhere.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
    html: htmlDocument([
      paragraph('Someone asked to reset the password of your account. To choose a new password:'),
      button(link, 'Reset password'),
      paragraph(`The link works once and expires in ${lifetime}. Resetting signs you out everywhere.`),
      paragraph('If you did not ask for this, ignore this message: your password stays as it is.'),
    ]),
  };
}

/** Tells the owner a second factor was added or removed, which a thief holding the password would want hidden. */
export function secondFactorChangedMessage({
  to,
  change,
}: {
  to: string;
  change: 'enabled' | 'disabled' | 'reset';
}): MailMessage {
  const what = {
    enabled: 'An authenticator app was set up as a second factor for your account.',
    disabled: 'The authenticator app was removed from your account: it no longer signs you in.',
    reset:
      'An administrator removed the second factors of your account (authenticator app and passkeys): signing in needs only your password now.',
  }[change];
  const after = 'Your other sessions were signed out.';
  const warning = 'If this was not you, change your password at once and contact your administrator.';
  return {
    to,
    subject: change === 'enabled' ? 'Two-step sign-in turned on' : 'Two-step sign-in turned off',
    text: [what, after, '', warning].join('\n'),
    html: htmlDocument([paragraph(what), paragraph(after), paragraph(warning)]),
  };
}

/** Told to the owner whenever a passkey is added to or removed from the account. */
export function passkeyChangedMessage({
  to,
  change,
  name,
}: {
  to: string;
  change: 'added' | 'removed';
  name: string;
}): MailMessage {
  const what =
    change === 'added'
      ? `A passkey named "${name}" was added to your account: it signs you in without a password.`
      : `The passkey named "${name}" was removed from your account: it no longer signs you in.`;
  const warning =
    'If this was not you, change your password at once, remove the passkeys you do not know, and contact your administrator.';
  return {
    to,
    subject: change === 'added' ? 'A passkey was added to your account' : 'A passkey was removed from your account',
    text: [what, '', warning].join('\n'),
    html: htmlDocument([paragraph(what), paragraph(warning)]),
  };
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "30 minutes", "24 hours", "1 day": the largest whole unit. */
export function describeDuration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [name, size] of units) {
    if (seconds >= size && seconds % size === 0) return plural(seconds / size, name);
  }
  return seconds >= 60 ? plural(Math.floor(seconds / 60), 'minute') : plural(seconds, 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

function button(link: string, label: string): string {
  const href = escapeHtml(link);
  return `<p><a href="${href}">${escapeHtml(label)}</a></p>\n<p>Or copy this address into your browser: ${href}</p>`;
}

function htmlDocument(blocks: readonly string[]): string {
  return `<!doctype html>\n<html><body>\n${blocks.join('\n')}\n</body></html>\n`;
}
