import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from the last token pair' })
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken!: string;
}
