import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain.error';
import { Page, PageRequest, pageWindow } from '../../common/pagination/page.dto';
import type { Note } from '../../generated/prisma/client';
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

  /** The owner's notes, newest first (served by the ownerId + createdAt index). */
  listOwnedBy(ownerId: string): Promise<Note[]> {
    return this.prisma.note.findMany({ where: { ownerId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
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
  async listAll({ page, limit }: PageRequest): Promise<Page<Note>> {
    const [items, total] = await this.prisma.$transaction([
      this.prisma.note.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], ...pageWindow({ page, limit }) }),
      this.prisma.note.count(),
    ]);
    return { items, total, page, limit };
  }

  count(): Promise<number> {
    return this.prisma.note.count();
  }
}

function notFound(): DomainError {
  return new DomainError('NOT_FOUND', 'No such note');
}
