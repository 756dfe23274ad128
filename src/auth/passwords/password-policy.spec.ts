import { dictionary } from '@zxcvbn-ts/language-common';
import { DomainError } from '../../common/errors/domain.error';
import { MAX_PASSWORD_LENGTH, PasswordPolicy, PasswordProblemReason } from './password-policy';

const GOOD_PASSPHRASE = 'velvet-otter-climbs-quietly';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy({ minLength: 8 });
  const reasons = (password: string, email?: string): PasswordProblemReason[] =>
    policy.check(password, { email }).map((problem) => problem.reason);

  it('accepts a passphrase, with no composition rules', () => {
    expect(policy.check(GOOD_PASSPHRASE)).toEqual([]);
    expect(policy.check('all lowercase words here', { email: 'someone@example.com' })).toEqual([]);
  });

  describe('length', () => {
    it('refuses fewer than the minimum', () => {
      expect(policy.check('Xk3#vQ9')).toEqual([{ reason: 'TOO_SHORT', message: 'must be at least 8 characters' }]);
      expect(reasons('Xk3#vQ9p')).toEqual([]);
      expect(reasons('')).toEqual(['TOO_SHORT']);
    });

    it('counts code points, not UTF-16 units: an astral emoji is one character', () => {
      const sevenEmoji = '🦊🐙🦉🐢🦔🐝🦜';
      expect(sevenEmoji.length).toBe(14);
      expect(reasons(sevenEmoji)).toEqual(['TOO_SHORT']);
      expect(reasons(`${sevenEmoji}🐳`)).toEqual([]);
    });

    it('counts after NFKC: a decomposed é is one character', () => {
      expect(reasons('cafe\u0301xyz')).toEqual(['TOO_SHORT']); // 8 code points before NFKC, 7 after
      expect(reasons('cafe\u0301xyzw')).toEqual([]);
    });

    it(`accepts ${MAX_PASSWORD_LENGTH} characters and refuses one more`, () => {
      const longest = 'tq8'.repeat(50).slice(0, MAX_PASSWORD_LENGTH);
      expect(reasons(longest)).toEqual([]);
      expect(policy.check(`${longest}z`)).toEqual([{ reason: 'TOO_LONG', message: 'must be at most 128 characters' }]);
      expect(reasons('🦊'.repeat(MAX_PASSWORD_LENGTH))).toEqual([]);
    });

    it('uses the configured minimum', () => {
      const strict = new PasswordPolicy({ minLength: 12 });
      expect(strict.check('Xk3#vQ9pLm2')).toEqual([{ reason: 'TOO_SHORT', message: 'must be at least 12 characters' }]);
      expect(() => new PasswordPolicy({ minLength: 0 })).toThrow(RangeError);
    });
  });

  describe('common passwords', () => {
    it('loads the whole maintained list', () => {
      expect(dictionary['passwords-common'].length).toBeGreaterThan(10_000);
    });

    it.each(['password', 'Password', 'PASSWORD', 'qwerty123', 'iloveyou', 'trustno1', 'P@ssw0rd', 'password123'])(
      'refuses %s',
      (password) => {
        expect(policy.check(password)).toEqual([
          { reason: 'COMMON', message: 'is too common; choose a less guessable password' },
        ]);
      },
    );

    it('matches after NFKC, so full-width letters do not slip through', () => {
      expect(reasons('ｐａｓｓｗｏｒｄ')).toEqual(['COMMON']);
    });

    it('refuses entries deep in the list, beyond the top 10,000', () => {
      const deep = dictionary['passwords-common'].slice(40_000).find((entry) => [...entry].length >= 8);
      expect(deep).toBeDefined();
      expect(reasons(deep!)).toEqual(['COMMON']);
    });
  });

  describe('email', () => {
    it('refuses the email address or its local part, ignoring case', () => {
      const email = 'Jane.Doe-1984@Example.com';
      const problem = { reason: 'CONTAINS_EMAIL', message: 'must not be your email address' };
      expect(policy.check('jane.doe-1984@example.com', { email })).toEqual([problem]);
      expect(policy.check('JANE.DOE-1984', { email })).toEqual([problem]);
      expect(policy.check('jane.doe-1984!', { email })).toEqual([]);
    });

    it('ignores the rule when no email is given', () => {
      expect(policy.check('jane.doe-1984')).toEqual([]);
      expect(policy.check('jane.doe-1984', { email: '' })).toEqual([]);
    });
  });

  it('lists every problem together', () => {
    expect(reasons('qwerty')).toEqual(['TOO_SHORT', 'COMMON']);
    expect(reasons('Qwerty', 'qwerty@example.com')).toEqual(['TOO_SHORT', 'COMMON', 'CONTAINS_EMAIL']);
  });

  describe('assertAcceptable', () => {
    it('returns quietly for an acceptable password', () => {
      expect(() => policy.assertAcceptable(GOOD_PASSPHRASE, 'password')).not.toThrow();
    });

    it('throws VALIDATION_FAILED with one field error per problem', () => {
      let thrown: unknown;
      try {
        policy.assertAcceptable('qwerty', 'newPassword');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(DomainError);
      const domainError = thrown as DomainError;
      expect(domainError.code).toBe('VALIDATION_FAILED');
      expect(domainError.status).toBe(400);
      expect(domainError.detail).toBe('The request is not valid');
      expect(domainError.extensions.errors).toEqual([
        { field: 'newPassword', message: 'must be at least 8 characters' },
        { field: 'newPassword', message: 'is too common; choose a less guessable password' },
      ]);
    });

    it('passes the email through', () => {
      expect(() => policy.assertAcceptable('someone.special', 'password', { email: 'someone.special@x.io' })).toThrow(
        DomainError,
      );
    });
  });
});
