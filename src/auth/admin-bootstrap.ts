/** Creates the operator's admin account from ADMIN_EMAIL / ADMIN_PASSWORD at boot (and in `npm run db:seed`), unless a user already has that email. */
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AdminConfig } from '../config/admin-config';
import { AppConfig } from '../config/app-config';
import { Role } from '../generated/prisma/enums';
import { UsersService } from '../users/users.service';
import { PasswordHasher } from './passwords/password-hasher';

export type AdminCreation = { readonly created: true } | { readonly created: false; readonly role: Role | undefined };

@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
  ) {}

  /** A failure stops the boot: an operator who asked for an admin account must not get a service without it unnoticed. */
  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.admin;
    if (!admin) return;
    try {
      await this.ensureAdmin(admin);
    } catch (error) {
      throw new Error(`Could not create the admin account ${admin.email}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async ensureAdmin(admin: AdminConfig): Promise<void> {
    const { created } = await this.createUnlessTaken(admin.email, admin.password);
    this.logger.log(created ? `Created admin ${admin.email}` : `Admin ${admin.email} already exists; left unchanged`);
  }

  /**
   * An ADMIN with a verified email, unless a user already has the email: that account is never
   * touched, whatever its role, password or status, and its role is returned. The insert is atomic,
   * so instances booting at once on one database create the account exactly once between them.
   * Boot (ADMIN_EMAIL) and the CLI's create-admin both come here.
   */
  async createUnlessTaken(email: string, password: string): Promise<AdminCreation> {
    // Every boot after the first ends here, without paying for a bcrypt hash.
    const existing = await this.users.findByEmail(email);
    if (existing) return { created: false, role: existing.role };
    const created = await this.users.createIfAbsent({
      email,
      passwordHash: await this.hasher.hash(password),
      role: 'ADMIN',
      // The operator chose this address; there is nobody to send a verification mail to.
      emailVerifiedAt: new Date(),
    });
    if (created) return { created: true };
    // Another instance or command created it between our read and our insert.
    return { created: false, role: (await this.users.findByEmail(email))?.role };
  }
}
