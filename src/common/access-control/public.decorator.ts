import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DocumentAsPublic } from '../openapi/document-conventions';

export const IS_PUBLIC_KEY = 'isPublic';

/** Opts a route (or a whole controller) out of the global bearer-token guard, in code and in OpenAPI. */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), DocumentAsPublic());
