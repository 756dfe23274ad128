import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { Role, UserStatus } from '../../generated/prisma/enums';
import { UserNameField } from './user-name-field.decorator';

/** PATCH /users/:id. A user may change their own name; role and status are for admins. */
export class UpdateUserDto {
  @UserNameField({ nullable: true })
  name?: string | null;

  @ApiPropertyOptional({ enum: Role, enumName: 'Role', description: 'ADMIN only; ends the user’s sessions' })
  @IsOptional()
  @IsEnum(Role)
  role?: Role;

  @ApiPropertyOptional({
    enum: UserStatus,
    enumName: 'UserStatus',
    description: 'ADMIN only; DISABLED ends the user’s sessions',
  })
  @IsOptional()
  @IsEnum(UserStatus)
  status?: UserStatus;
}
