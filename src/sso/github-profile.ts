import type { VerifiedClaims } from './oidc-strategy';

/** The parts of GitHub's `GET /user` this service reads. */
export interface GithubUser {
  readonly id: number;
  readonly login: string;
  readonly name?: string | null;
}

/** An entry of GitHub's `GET /user/emails` (scope user:email). */
export interface GithubEmail {
  readonly email: string;
  readonly primary: boolean;
  readonly verified: boolean;
}

/**
 * GitHub's user as OpenID claims: `sub` its numeric id (logins can be renamed and reused), the email
 * its primary address when GitHub verified it, else a verified one, else none is claimed verified.
 */
export function githubClaimsOf(user: GithubUser, emails: readonly GithubEmail[]): VerifiedClaims {
  if (!Number.isSafeInteger(user.id)) throw new Error('GitHub answered a user without a numeric id');
  const chosen =
    emails.find((entry) => entry.primary && entry.verified) ??
    emails.find((entry) => entry.verified) ??
    emails.find((entry) => entry.primary);
  return {
    sub: String(user.id),
    ...(chosen ? { email: chosen.email, email_verified: chosen.verified } : {}),
    name: user.name ?? user.login,
  };
}
