import { DynamicModule, Module } from '@nestjs/common';
import { PASSWORD_HASHING_OPTIONS, PasswordHasher, PasswordHashingOptions } from './password-hasher';
import { PASSWORD_POLICY_OPTIONS, PasswordPolicy, PasswordPolicyOptions } from './password-policy';

export interface PasswordsModuleOptions {
  readonly hashing: PasswordHashingOptions;
  readonly policy: PasswordPolicyOptions;
}

/** Password hashing and the password policy; the options come from the application configuration. */
@Module({})
export class PasswordsModule {
  static forRoot(options: PasswordsModuleOptions): DynamicModule {
    return {
      module: PasswordsModule,
      providers: [
        { provide: PASSWORD_HASHING_OPTIONS, useValue: options.hashing },
        { provide: PASSWORD_POLICY_OPTIONS, useValue: options.policy },
        PasswordHasher,
        PasswordPolicy,
      ],
      exports: [PasswordHasher, PasswordPolicy],
    };
  }
}
