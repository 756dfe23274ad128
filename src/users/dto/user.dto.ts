import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Role, UserStatus } from '../../generated/prisma/enums';
import type { User } from '../../generated/prisma/client';
import { DATE_TIME_SCHEMA, UUID_SCHEMA } from '../../common/openapi/schema-bounds';
import { MAX_EMAIL_LENGTH } from '../../common/validation/email-address';
import { MAX_NAME_LENGTH } from './user-name-field.decorator';

/** The user as clients see it: built field by field, so no hash or token ever leaks. */
export class UserDto {
  @ApiProperty(UUID_SCHEMA)
  id!: string;

  @ApiProperty({ format: 'idn-email', maxLength: MAX_EMAIL_LENGTH })
  email!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_NAME_LENGTH })
  name!: string | null;

  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;

  @ApiProperty({ enum: UserStatus, enumName: 'UserStatus' })
  status!: UserStatus;

  @ApiProperty()
  emailVerified!: boolean;

  @ApiProperty(DATE_TIME_SCHEMA)
  createdAt!: string;

  static from(user: User): UserDto {
    return Object.assign(new UserDto(), {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      status: user.status,
      emailVerified: user.emailVerifiedAt !== null,
      createdAt: user.createdAt.toISOString(),
    });
  }
}
