// The behaviour of the reset-password and verify-email pages. A classic script from 'self' (the
// pages' policy allows no inline script); it calls the API on the same origin, relative to the page.
'use strict';

(function accountPages() {
  const page = document.body.dataset.page;
  const status = document.getElementById('status');
  const token = new URLSearchParams(location.search).get('token');
  // Out of the address bar, the history and any later Referer (the policy already sends none).
  history.replaceState(null, '', location.pathname);

  function show(kind, message) {
    status.className = `status ${kind}`;
    status.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    status.textContent = message;
    status.hidden = false;
  }

  async function post(path, body) {
    const response = await fetch(new URL(`api/v1/auth/${path}`, document.baseURI), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, application/problem+json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
    if (response.ok) return { ok: true };
    const problem = await response.json().catch(() => ({}));
    return { ok: false, status: response.status, problem, retryAfter: response.headers.get('retry-after') };
  }

  function failure({ status: code, problem, retryAfter }, expiredCode) {
    if (problem.code === expiredCode) return 'This link has expired or has already been used. Ask for a new one.';
    if (code === 429) return `Too many attempts. Try again in ${retryAfter ?? 'a few'} seconds.`;
    if (problem.code === 'VALIDATION_FAILED' && problem.errors?.length) {
      return problem.errors.map((error) => error.message).join(' ');
    }
    return problem.detail ?? 'Something went wrong. Try again in a moment.';
  }

  if (!token) {
    show('error', 'This link is incomplete. Open the link from the email again, or ask for a new one.');
    document.querySelector('form')?.remove();
    return;
  }

  if (page === 'verify-email') {
    show('pending', 'Verifying your email address…');
    post('verify-email', { token }).then(
      (answer) =>
        answer.ok
          ? show('success', 'Your email address is verified. You can close this page.')
          : show('error', failure(answer, 'INVALID_VERIFICATION_TOKEN')),
      () => show('error', 'The service could not be reached. Check your connection and reload this page.'),
    );
    return;
  }

  const form = document.getElementById('reset-form');
  const password = document.getElementById('new-password');
  const confirmation = document.getElementById('confirm-password');
  const submit = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (password.value !== confirmation.value) {
      show('error', 'The two passwords are not the same.');
      confirmation.setAttribute('aria-invalid', 'true');
      confirmation.focus();
      return;
    }
    confirmation.removeAttribute('aria-invalid');
    submit.disabled = true;
    show('pending', 'Setting your new password…');
    try {
      const answer = await post('reset-password', { token, newPassword: password.value });
      if (answer.ok) {
        form.remove();
        show('success', 'Your password is set, and every session of your account has ended. Log in with it now.');
        return;
      }
      show('error', failure(answer, 'INVALID_RESET_TOKEN'));
      if (answer.problem.code === 'INVALID_RESET_TOKEN') form.remove();
      else password.focus();
    } catch {
      show('error', 'The service could not be reached. Check your connection and try again.');
    } finally {
      submit.disabled = false;
    }
  });
})();
