import { Module } from '@nestjs/common';
import { NotesController } from './notes.controller';
import { NotesRepository } from './notes.repository';
import { NotesService } from './notes.service';

/**
 * An example feature module to copy: it owns its table through its repository (PrismaModule is
 * global), the guards are global (APP_GUARD) so it needs no auth imports, and it exports only its
 * service.
 */
@Module({
  controllers: [NotesController],
  providers: [NotesService, NotesRepository],
  exports: [NotesService],
})
export class NotesModule {}
