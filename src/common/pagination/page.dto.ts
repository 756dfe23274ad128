import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 100;

/** `?page=&limit=` on every listing: 1-based pages of at most MAX_PAGE_SIZE items. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
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
    @ApiProperty({ type: [itemType] })
    items!: T[];

    @ApiProperty({ minimum: 0, description: 'Items matching the filters, over all pages' })
    total!: number;

    @ApiProperty({ minimum: 1 })
    page!: number;

    @ApiProperty({ minimum: 1, maximum: MAX_PAGE_SIZE })
    limit!: number;
  }
  return PageOfItems;
}
