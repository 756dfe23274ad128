import { Module } from '@nestjs/common';
import { NotesController } from './notes.controller';
import { NotesService } from './notes.service';

/**
 * An example feature module to copy: PrismaModule is global and the guards are global (APP_GUARD),
 * so a module needs no auth imports; it declares its controller and exports only its service.
 */
@Module({
  controllers: [NotesController],
  providers: [NotesService],
  exports: [NotesService],
})
export class NotesModule {}
