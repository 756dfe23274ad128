import { ApiProperty } from '@nestjs/swagger';

/** The body of a 202: the request was taken; what follows happens by mail. */
export class AcceptedDto {
  @ApiProperty({ example: 'If an account exists for this email, a message is on its way.', maxLength: 200 })
  message!: string;

  static of(message: string): AcceptedDto {
    return Object.assign(new AcceptedDto(), { message });
  }
}
