import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain.error';
import { Page, PageRequest } from '../../common/pagination/page.dto';
import type { Note } from '../../generated/prisma/client';
import { NotesRepository } from './notes.repository';

export interface NoteContent {
  readonly title: string;
  readonly body: string;
}

/**
 * Notes and who may see them. No HTTP here: ownership is a query condition, so another user's note
 * is simply not found (404), which also hides whether it exists.
 */
@Injectable()
export class NotesService {
  constructor(private readonly notes: NotesRepository) {}

  create(ownerId: string, note: NoteContent): Promise<Note> {
    return this.notes.insert({ ownerId, title: note.title, body: note.body });
  }

  /** One page of the owner's notes, newest first. */
  listOwnedBy(ownerId: string, request: PageRequest): Promise<Page<Note>> {
    return this.notes.page(ownerId, request);
  }

  async getOwned(ownerId: string, id: string): Promise<Note> {
    const note = await this.notes.findOwned(ownerId, id);
    if (!note) throw notFound();
    return note;
  }

  async deleteOwned(ownerId: string, id: string): Promise<void> {
    if (!(await this.notes.deleteOwned(ownerId, id))) throw notFound();
  }

  /** Every user's notes, oldest first, for admins. */
  listAll(request: PageRequest): Promise<Page<Note>> {
    return this.notes.page(undefined, request);
  }

  count(): Promise<number> {
    return this.notes.count();
  }
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'No such note');
}
