import { githubClaimsOf } from './github-profile';

describe('githubClaimsOf', () => {
  const user = { id: 583231, login: 'octocat', name: 'The Octocat' };

  it('takes the numeric id as the subject and the primary verified address', () => {
    const emails = [
      { email: 'octo@old.example', primary: false, verified: true },
      { email: 'octocat@github.com', primary: true, verified: true },
    ];
    expect(githubClaimsOf(user, emails)).toEqual({
      sub: '583231',
      email: 'octocat@github.com',
      email_verified: true,
      name: 'The Octocat',
    });
  });

  it('prefers a verified address to an unverified primary one, and claims none verified without one', () => {
    const unverifiedPrimary = { email: 'new@octo.example', primary: true, verified: false };
    expect(
      githubClaimsOf(user, [unverifiedPrimary, { email: 'kept@octo.example', primary: false, verified: true }]),
    ).toMatchObject({
      email: 'kept@octo.example',
      email_verified: true,
    });
    expect(githubClaimsOf({ id: 1, login: 'ghost' }, [unverifiedPrimary])).toEqual({
      sub: '1',
      email: 'new@octo.example',
      email_verified: false,
      name: 'ghost',
    });
    expect(githubClaimsOf({ id: 1, login: 'ghost' }, [])).toEqual({ sub: '1', name: 'ghost' });
  });
});
