/** Creates the operator's admin account from ADMIN_EMAIL / ADMIN_PASSWORD at boot (and in `npm run db:seed`), unless a user already has that email. */
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AdminConfig } from '../config/admin-config';
import { AppConfig } from '../config/app-config';
import { UsersService } from '../users/users.service';
import { PasswordHasher } from './passwords/password-hasher';

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

  /**
   * Never touches an existing account, whatever its role, password or status. The insert is
   * atomic, so instances booting at once on one database create it exactly once between them.
   */
  private async ensureAdmin(admin: AdminConfig): Promise<void> {
    // Every boot after the first ends here, without paying for a bcrypt hash.
    if (await this.users.findByEmail(admin.email)) {
      this.logger.log(`Admin ${admin.email} already exists; left unchanged`);
      return;
    }
    const created = await this.users.createIfAbsent({
      email: admin.email,
      passwordHash: await this.hasher.hash(admin.password),
      role: 'ADMIN',
      // The operator chose this address; there is nobody to send a verification mail to.
      emailVerifiedAt: new Date(),
    });
    this.logger.log(created ? `Created admin ${admin.email}` : `Admin ${admin.email} already exists; left unchanged`);
  }
}
