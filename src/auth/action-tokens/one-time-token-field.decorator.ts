import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

const MAX_ONE_TIME_TOKEN_LENGTH = 512;

/** A one-time token from a mailed link; the bound only stops absurd payloads early. */
export const OneTimeTokenField = (description: string) =>
  applyDecorators(
    ApiProperty({ description, minLength: 1, maxLength: MAX_ONE_TIME_TOKEN_LENGTH }),
    IsString(),
    MinLength(1),
    MaxLength(MAX_ONE_TIME_TOKEN_LENGTH),
  );
