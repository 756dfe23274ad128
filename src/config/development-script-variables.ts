/**
 * Read by `npm start`'s embedded PostgreSQL (scripts/db/embedded-postgres.mjs), not by the service;
 * declared so that .env.example, which documents them, is checked against them too.
 */
import { declareVariables, integer, oneOf } from './variable-declaration';

export const DEVELOPMENT_SCRIPT_VARIABLES = declareVariables({
  EMBEDDED_PG_PORT: integer({
    default: 54329,
    min: 1,
    max: 65535,
    description: 'Port of the embedded PostgreSQL of `npm start`',
    secret: false,
  }),
  EMBEDDED_PG_VERBOSE: oneOf({
    values: ['0', '1'],
    default: '0',
    description: 'Echo the embedded PostgreSQL output (1)',
    secret: false,
  }),
});
