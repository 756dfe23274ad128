import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { MailModule } from '../mail/mail.module';
import { UsersModule } from '../users/users.module';
import { ActionTokensModule } from './action-tokens/action-tokens.module';
import { AdminBootstrap } from './admin-bootstrap';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { EmailVerificationController } from './email-verification/email-verification.controller';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { JwtAuthGuard } from './guards/jwt-auth.guard';
import { MfaEnrollmentGuard } from './guards/mfa-enrollment.guard';
import { MfaStepUpGuard } from './guards/mfa-step-up.guard';
import { MfaLoginController } from './mfa-login/mfa-login.controller';
import { MfaLoginService } from './mfa-login/mfa-login.service';
import { CredentialsService } from './credentials/credentials.service';
import { IdentitiesController } from './credentials/identities.controller';
import { PasskeyRemovalController } from './credentials/passkey-removal.controller';
import { PasskeyLoginController } from './passkey-login/passkey-login.controller';
import { SsoLoginController } from './sso-login/sso-login.controller';
import { SsoLoginService } from './sso-login/sso-login.service';
import { PasskeyLoginService } from './passkey-login/passkey-login.service';
import { MfaModule } from '../mfa/mfa.module';
import { SsoModule } from '../sso/sso.module';
import { LockoutModule } from './lockout/lockout.module';
import { RolesGuard } from './guards/roles.guard';
import { PasswordChangeService } from './password-change/password-change.service';
import { PasswordResetController } from './password-reset/password-reset.controller';
import { PasswordResetService } from './password-reset/password-reset.service';
import { PasswordsModule } from './passwords/passwords.module';
import { SessionsModule } from '../sessions/sessions.module';
import { JwtStrategy } from './strategies/jwt.strategy';
import { CredentialThrottlingModule } from './throttling/credential-throttling.module';
import { LocalStrategy } from './strategies/local.strategy';
import { TokensModule } from '../tokens/tokens.module';
import { RefreshTokenTransport } from './transport/refresh-token-transport';

@Module({
  imports: [
    PassportModule,
    UsersModule,
    AuditModule,
    SessionsModule,
    TokensModule,
    LockoutModule,
    CredentialThrottlingModule,
    MailModule,
    ActionTokensModule,
    PasswordsModule,
    MfaModule,
    SsoModule,
  ],
  controllers: [
    AuthController,
    PasswordResetController,
    EmailVerificationController,
    MfaLoginController,
    PasskeyLoginController,
    SsoLoginController,
    IdentitiesController,
    PasskeyRemovalController,
  ],
  providers: [
    AuthService,
    PasswordChangeService,
    AdminBootstrap,
    RefreshTokenTransport,
    PasswordResetService,
    EmailVerificationService,
    MfaLoginService,
    PasskeyLoginService,
    SsoLoginService,
    CredentialsService,
    JwtStrategy,
    LocalStrategy,
    // Order matters: the bearer token is checked before the role and the second factor it carries.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: MfaEnrollmentGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: MfaStepUpGuard },
  ],
})
export class AuthModule {}
