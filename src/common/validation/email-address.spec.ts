import { emailAddressProblem, normalizeEmail } from './email-address';

describe('email addresses', () => {
  it('normalises to NFC, trimmed and lower-cased', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normalizeEmail('Jose\u0301@example.com')).toBe('jos\u00e9@example.com');
  });

  it.each([
    'ada@example.com',
    'first.last+tag@sub.example.co.uk',
    'josé@example.com',
    'иван@пример.рф',
    'müller@bücher.de',
    'user@例え.jp',
    'taro.山田@example.jp',
  ])('accepts %s', (address) => {
    expect(emailAddressProblem(normalizeEmail(address))).toBeUndefined();
  });

  it.each([
    ['ad\u200bmin@example.com', 'must not contain control, invisible or space characters'],
    ['admin\u2060@example.com', 'must not contain control, invisible or space characters'],
    ['\u202eadmin@example.com', 'must not contain control, invisible or space characters'],
    ['a\u0007b@example.com', 'must not contain control, invisible or space characters'],
    ['"a\r\nBcc: x"@example.com', 'must not contain control, invisible or space characters'],
    ['"odd"@example.com', 'must not have a quoted local part'],
    ['p\u0430ypal@example.com', 'must not mix look-alike scripts (such as Latin and Cyrillic) in one part'],
    ['admin@ex\u0430mple.com', 'must not mix look-alike scripts (such as Latin and Cyrillic) in one part'],
    ['admin@exam\u03bfple.com', 'must not mix look-alike scripts (such as Latin and Cyrillic) in one part'],
    ['a@127.0.0.1', 'must be an email address'],
    ['a@localhost', 'must be an email address'],
    ['not-an-email', 'must be an email address'],
    [`${'a'.repeat(250)}@b.co`, 'must be at most 254 characters'],
  ])('refuses %j: %s', (address, problem) => {
    expect(emailAddressProblem(normalizeEmail(address))).toBe(problem);
  });
});
