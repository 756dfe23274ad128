import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';

/** Password hashing and the password policy, built from the application configuration. */
@Module({
  providers: [
    {
      provide: PasswordHasher,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new PasswordHasher({ cost: config.password.bcryptCost, pepper: config.password.pepper }),
    },
    {
      provide: PasswordPolicy,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PasswordPolicy({ minLength: config.password.minLength }),
    },
  ],
  exports: [PasswordHasher, PasswordPolicy],
})
export class PasswordsModule {}
