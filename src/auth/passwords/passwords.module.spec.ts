import { Test } from '@nestjs/testing';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { PasswordsModule } from './passwords.module';

describe('PasswordsModule', () => {
  it('provides the hasher and the policy from the given options', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PasswordsModule.forRoot({ hashing: { cost: 4, pepper: Buffer.from('pepper') }, policy: { minLength: 10 } }),
      ],
    }).compile();

    const hasher = moduleRef.get(PasswordHasher);
    expect(hasher.needsRehash(await hasher.hash('a password'))).toBe(false);
    expect(moduleRef.get(PasswordPolicy).check('nine char')).toEqual([
      { reason: 'TOO_SHORT', message: 'must be at least 10 characters' },
    ]);
  });
});
