import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';
import { PasswordHasher } from './password-hasher';

const PEPPER = Buffer.from('unit-test-pepper-0123456789abcdef');

function hasherWith(cost = 4, pepper = PEPPER): PasswordHasher {
  return new PasswordHasher({ cost, pepper });
}

describe('PasswordHasher', () => {
  const hasher = hasherWith();

  afterEach(() => jest.restoreAllMocks());

  it('verifies the password it hashed and refuses a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    await expect(hasher.verify('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(hasher.verify('', hash)).resolves.toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [first, second] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    expect(first).not.toBe(second);
  });

  it('never puts the password in the hash', async () => {
    const password = 'a-Secret-that-must-not-leak';
    const hash = await hasher.hash(password);
    expect(hash.toLowerCase()).not.toContain(password.toLowerCase());
    expect(hash).not.toContain(Buffer.from(password).toString('base64').slice(0, 12));
  });

  it('tells apart passwords that differ only after byte 72', async () => {
    const prefix = 'a'.repeat(72);
    // Plain bcrypt cannot: it ignores everything after byte 72.
    await expect(bcrypt.compare(`${prefix}Y`, await bcrypt.hash(`${prefix}X`, 4))).resolves.toBe(true);

    const hash = await hasher.hash(`${prefix}X`);
    await expect(hasher.verify(`${prefix}X`, hash)).resolves.toBe(true);
    await expect(hasher.verify(`${prefix}Y`, hash)).resolves.toBe(false);
    await expect(hasher.verify(prefix, hash)).resolves.toBe(false);

    const multibytePrefix = 'é'.repeat(36); // 72 bytes in UTF-8
    const multibyteHash = await hasher.hash(`${multibytePrefix}1`);
    await expect(hasher.verify(`${multibytePrefix}2`, multibyteHash)).resolves.toBe(false);
  });

  it('keeps what follows a NUL byte', async () => {
    const hash = await hasher.hash('secret\u0000one');
    await expect(hasher.verify('secret\u0000one', hash)).resolves.toBe(true);
    await expect(hasher.verify('secret\u0000two', hash)).resolves.toBe(false);
    await expect(hasher.verify('secret', hash)).resolves.toBe(false);
  });

  it('treats Unicode-equivalent spellings (NFKC) as the same password', async () => {
    const ligature = await hasher.hash('\uFB01sh and chips'); // 'ﬁ' ligature
    await expect(hasher.verify('fish and chips', ligature)).resolves.toBe(true);

    const composed = await hasher.hash('caf\u00E9 au lait');
    await expect(hasher.verify('cafe\u0301 au lait', composed)).resolves.toBe(true);
    await expect(hasher.verify('cafe au lait', composed)).resolves.toBe(false);
  });

  it('depends on the pepper', async () => {
    const hash = await hasher.hash('peppered password');
    const otherPepper = hasherWith(4, Buffer.from('another-pepper-0123456789abcdefgh'));
    await expect(otherPepper.verify('peppered password', hash)).resolves.toBe(false);
    await expect(hasherWith(4, Buffer.from(PEPPER)).verify('peppered password', hash)).resolves.toBe(true);
  });

  it('returns false, without throwing, for a malformed stored hash', async () => {
    for (const stored of ['', 'not a hash', '$2b$04$short', '$2b$99$' + 'a'.repeat(53), '$argon2id$v=19$m=65536']) {
      await expect(hasher.verify('whatever', stored)).resolves.toBe(false);
    }
    await expect(hasher.verify('whatever', undefined as unknown as string)).resolves.toBe(false);
  });

  it('asks for a rehash when the stored cost differs from the configured one', async () => {
    const hash = await hasher.hash('rehash me');
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(hasherWith(5).needsRehash(hash)).toBe(true);
    expect(hasher.needsRehash(await bcrypt.hash('x', 5))).toBe(true);
    expect(hasher.needsRehash('not a hash')).toBe(true);
  });

  it('refuses a cost bcrypt would silently change and an empty pepper', () => {
    expect(() => hasherWith(3)).toThrow(RangeError);
    expect(() => hasherWith(32)).toThrow(RangeError);
    expect(() => hasherWith(12.5)).toThrow(RangeError);
    expect(() => hasherWith(4, Buffer.alloc(0))).toThrow(RangeError);
  });

  describe('verifyAgainstDummy', () => {
    it('returns false after a real bcrypt comparison at the configured cost', async () => {
      const dummyHasher = hasherWith(5);
      const compare = jest.spyOn(bcrypt, 'compare');
      await expect(dummyHasher.verifyAgainstDummy('any password')).resolves.toBe(false);

      expect(compare).toHaveBeenCalledTimes(1);
      const [preHashed, dummyHash] = compare.mock.calls[0];
      expect(preHashed).toHaveLength(44);
      expect(dummyHash).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/);
      expect(dummyHasher.needsRehash(dummyHash)).toBe(false);
    });

    it('computes the dummy hash once, even for concurrent first calls', async () => {
      const dummyHasher = hasherWith(4);
      const hash = jest.spyOn(bcrypt, 'hash');
      await Promise.all([1, 2, 3].map((n) => dummyHasher.verifyAgainstDummy(`password ${n}`)));
      await dummyHasher.verifyAgainstDummy('later');
      expect(hash).toHaveBeenCalledTimes(1);
    });

    it('takes about as long as verifying a wrong password (cost 8)', async () => {
      const slowHasher = hasherWith(8);
      const stored = await slowHasher.hash('the real password');
      await slowHasher.verifyAgainstDummy('warm up'); // computes the dummy hash
      const timeOf = async (run: () => Promise<boolean>): Promise<number> => {
        const start = performance.now();
        await run();
        return performance.now() - start;
      };
      const real: number[] = [];
      const dummy: number[] = [];
      for (let i = 0; i < 5; i++) {
        real.push(await timeOf(() => slowHasher.verify('a wrong password', stored)));
        dummy.push(await timeOf(() => slowHasher.verifyAgainstDummy('a wrong password')));
      }
      // The fastest runs are the least disturbed by load; a skipped comparison would be ~100x faster.
      expect(Math.min(...dummy)).toBeGreaterThan(Math.min(...real) / 3);
    });
  });
});
