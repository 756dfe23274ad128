import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ASYMMETRIC_ALGORITHMS } from '../config/pem-keys';
import type { PublicJwk } from './signing-key-ring';

// 32 bytes (a SHA-256 digest, an Ed25519 public key) in unpadded base64url.
const BASE64URL_SHA256_LENGTH = 43;

/** One public key (RFC 7517): RSA keys carry n and e, Ed25519 keys (OKP) carry crv and x. */
export class JsonWebKeyDto {
  @ApiProperty({ enum: ['RSA', 'OKP'], example: 'OKP' })
  kty!: 'RSA' | 'OKP';

  @ApiProperty({
    description: 'RFC 7638 thumbprint of the key (SHA-256, base64url); access tokens name it in their header',
    minLength: BASE64URL_SHA256_LENGTH,
    maxLength: BASE64URL_SHA256_LENGTH,
  })
  kid!: string;

  @ApiProperty({ enum: ['sig'] })
  use!: 'sig';

  @ApiProperty({ enum: ASYMMETRIC_ALGORITHMS, description: 'The one algorithm tokens of this key use' })
  alg!: string;

  @ApiPropertyOptional({ description: 'RSA modulus (base64url)' })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA public exponent (base64url)', example: 'AQAB' })
  e?: string;

  @ApiPropertyOptional({ enum: ['Ed25519'] })
  crv?: string;

  @ApiPropertyOptional({
    description: 'Ed25519 public key (32 bytes, base64url)',
    minLength: BASE64URL_SHA256_LENGTH,
    maxLength: BASE64URL_SHA256_LENGTH,
  })
  x?: string;

  static from(jwk: PublicJwk): JsonWebKeyDto {
    const { kty, kid, use, alg } = jwk;
    const members = jwk.kty === 'RSA' ? { n: jwk.n, e: jwk.e } : { crv: jwk.crv, x: jwk.x };
    return Object.assign(new JsonWebKeyDto(), { kty, kid, use, alg, ...members });
  }
}

/** The JSON Web Key Set other services verify access tokens with. */
export class JsonWebKeySetDto {
  @ApiProperty({ type: [JsonWebKeyDto], description: 'The signing key first, then every other accepted key' })
  keys!: JsonWebKeyDto[];

  static from(jwks: readonly PublicJwk[]): JsonWebKeySetDto {
    return Object.assign(new JsonWebKeySetDto(), { keys: jwks.map((jwk) => JsonWebKeyDto.from(jwk)) });
  }
}
