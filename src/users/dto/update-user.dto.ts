import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEnum, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { Role, UserStatus } from '../../generated/prisma/enums';

/** PATCH /users/:id. A user may change their own name; role and status are for admins. */
export class UpdateUserDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Ada Lovelace', maxLength: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @ValidateIf((_dto, value) => value !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
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
