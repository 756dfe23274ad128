/** The two pages the mailed links open. Static but for the password length, which comes from the configuration. */
export type AccountPage = 'reset-password' | 'verify-email';

export const ASSETS_PATH = 'account-pages';

/** Served at the root, beside /api/v1: the mailed links name these paths (PUBLIC_URL/reset-password). */
export const ACCOUNT_PAGE_ROUTES = ['reset-password', 'verify-email', `${ASSETS_PATH}/:name`];

/**
 * Only the script and style files from this origin, and fetch to it; no inline code, no framing, no
 * form posting elsewhere, no base element, and no referrer: the token is in the URL when the page opens.
 */
export const PAGE_SECURITY_HEADERS = Object.freeze({
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
});

export function renderAccountPage(page: AccountPage, passwordMinLength: number): string {
  const { title, body } =
    page === 'reset-password' ? resetPasswordPage(passwordMinLength) : { title: 'Verify your email', body: '' };
  // Relative links: the pages work under whatever path a reverse proxy mounts the service at.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="${ASSETS_PATH}/account-pages.css">
<script src="${ASSETS_PATH}/account-pages.js" defer></script>
</head>
<body data-page="${page}">
<main>
<h1>${title}</h1>
${body}<p id="status" class="status" hidden></p>
<noscript><p class="status error">This page needs JavaScript to talk to the service.</p></noscript>
</main>
</body>
</html>
`;
}

function resetPasswordPage(minLength: number) {
  return {
    title: 'Choose a new password',
    body: `<form id="reset-form" novalidate>
<label for="new-password">New password</label>
<input id="new-password" name="newPassword" type="password" autocomplete="new-password" required minlength="${minLength}" maxlength="128" aria-describedby="password-hint">
<p id="password-hint" class="hint">At least ${minLength} characters. Common and breached passwords are refused. Every session of your account ends when it is set.</p>
<label for="confirm-password">New password again</label>
<input id="confirm-password" name="confirmPassword" type="password" autocomplete="new-password" required minlength="${minLength}" maxlength="128">
<button type="submit">Set the new password</button>
</form>
`,
  };
}
