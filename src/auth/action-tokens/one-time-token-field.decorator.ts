import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** A one-time token from a mailed link; the bound only stops absurd payloads early. */
export const OneTimeTokenField = (description: string) =>
  applyDecorators(ApiProperty({ description }), IsString(), MinLength(1), MaxLength(512));
