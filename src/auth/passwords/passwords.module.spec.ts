import { Test } from '@nestjs/testing';
import { loadAppConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import { PasswordsModule } from './passwords.module';

describe('PasswordsModule', () => {
  it('provides the hasher and the policy from the configuration', async () => {
    const config = loadAppConfig({
      DATABASE_URL: 'postgresql://localhost/auth',
      BCRYPT_COST: '4',
      PASSWORD_MIN_LENGTH: '10',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), PasswordsModule],
    }).compile();

    const hasher = moduleRef.get(PasswordHasher);
    const hash = await hasher.hash('a password');
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(moduleRef.get(PasswordPolicy).check('nine char')).toEqual([
      { reason: 'TOO_SHORT', message: 'must be at least 10 characters' },
    ]);
  });
});
