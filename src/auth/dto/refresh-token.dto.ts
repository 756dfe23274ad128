import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, ValidateIf } from 'class-validator';

export class RefreshTokenDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last token pair. Required unless REFRESH_TRANSPORT sends it as the ' +
      'refresh_token cookie, which is then read instead (with the X-Requested-With header or an allowed Origin). ' +
      'Any string that is not a live refresh token is answered 401 INVALID_REFRESH_TOKEN.',
  })
  // Absent: the cookie may carry it. null or another type is a malformed request (400), never a 500;
  // no length rule, so that every string is judged as a token (a client logs out on 401, not on 400).
  @ValidateIf((_dto: object, value: unknown) => value !== undefined)
  @IsString()
  refreshToken?: string;
}
