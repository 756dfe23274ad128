import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;
/** The deepest page a listing serves; validation refuses a larger `page`. */
export const MAX_PAGE = 1_000_000;
/** Counts are JavaScript numbers: exact up to 2^53 - 1. */
const MAX_TOTAL = Number.MAX_SAFE_INTEGER;

/** `?page=&limit=` on every listing: 1-based pages of at most MAX_PAGE_SIZE items. */
export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 20;
}

/** Which page of how many items a listing wants; services take this, not the HTTP DTO. */
export interface PageRequest {
  readonly page: number;
  readonly limit: number;
}

/** Prisma's `skip` and `take` for a page. */
export function pageWindow({ page, limit }: PageRequest): { skip: number; take: number } {
  return { skip: (page - 1) * limit, take: limit };
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly page: number;
  readonly limit: number;
}

/** The response shape `{items, total, page, limit}`; extend it once per item type for OpenAPI. */
export function PageDto<T>(itemType: ClassType<T>) {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [itemType], maxItems: MAX_PAGE_SIZE, description: 'At most `limit` items' })
    items!: T[];

    @ApiProperty({
      type: 'integer',
      format: 'int64',
      minimum: 0,
      maximum: MAX_TOTAL,
      description: 'Items matching the filters, over all pages',
    })
    total!: number;

    @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE })
    page!: number;

    @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE_SIZE })
    limit!: number;
  }
  return PageOfItems;
}
