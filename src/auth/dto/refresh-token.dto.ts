import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class RefreshTokenDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last token pair. Required unless REFRESH_TRANSPORT sends it as the ' +
      'refresh_token cookie, which is then read instead (with the X-Requested-With header or an allowed Origin).',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  refreshToken?: string;
}
