import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain.error';
import { Page, PageRequest, pageWindow } from '../../common/pagination/page.dto';
import type { Note, Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

export interface NewNote {
  readonly title: string;
  readonly body: string;
}

/**
 * The notes table. No HTTP here: ownership is a query condition, so another user's note is
 * simply not found (404), which also hides whether it exists.
 */
@Injectable()
export class NotesService {
  constructor(private readonly prisma: PrismaService) {}

  create(ownerId: string, note: NewNote): Promise<Note> {
    return this.prisma.note.create({ data: { ownerId, title: note.title, body: note.body } });
  }

  /** One page of the owner's notes, newest first (served by the ownerId + createdAt index). */
  listOwnedBy(ownerId: string, request: PageRequest): Promise<Page<Note>> {
    return this.page({ ownerId }, 'desc', request);
  }

  async getOwned(ownerId: string, id: string): Promise<Note> {
    const note = await this.prisma.note.findFirst({ where: { id, ownerId } });
    if (!note) throw notFound();
    return note;
  }

  async deleteOwned(ownerId: string, id: string): Promise<void> {
    const { count } = await this.prisma.note.deleteMany({ where: { id, ownerId } });
    if (count === 0) throw notFound();
  }

  /** Every user's notes, oldest first, for admins. */
  listAll(request: PageRequest): Promise<Page<Note>> {
    return this.page({}, 'asc', request);
  }

  count(): Promise<number> {
    return this.prisma.note.count();
  }

  /** One page of the notes `where` selects, and how many it selects in all. */
  private async page(where: Prisma.NoteWhereInput, order: Prisma.SortOrder, request: PageRequest): Promise<Page<Note>> {
    const [items, total] = await this.prisma.$transaction([
      this.prisma.note.findMany({ where, orderBy: [{ createdAt: order }, { id: order }], ...pageWindow(request) }),
      this.prisma.note.count({ where }),
    ]);
    return { items, total, page: request.page, limit: request.limit };
  }
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'No such note');
}
