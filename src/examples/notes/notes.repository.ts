import { Injectable } from '@nestjs/common';
import { Page, PageRequest, pageWindow } from '../../common/pagination/page.dto';
import type { Note, Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

export interface NewNote {
  readonly ownerId: string;
  readonly title: string;
  readonly body: string;
}

/**
 * The notes table, which this feature owns: the only code that touches Prisma for it. Every write
 * here is one statement, atomic on its own; a write that must commit with another would take a
 * `Transaction` first (see UsersRepository).
 */
@Injectable()
export class NotesRepository {
  constructor(private readonly prisma: PrismaService) {}

  insert(note: NewNote): Promise<Note> {
    return this.prisma.note.create({ data: note });
  }

  findOwned(ownerId: string, id: string): Promise<Note | null> {
    return this.prisma.note.findFirst({ where: { id, ownerId } });
  }

  /** True when the note existed and was the owner's. */
  async deleteOwned(ownerId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.note.deleteMany({ where: { id, ownerId } });
    return count === 1;
  }

  count(): Promise<number> {
    return this.prisma.note.count();
  }

  /**
   * One page of the notes of `ownerId` (every owner's when undefined), and how many there are in all:
   * by owner, newest first on the (ownerId, createdAt) index; all of them oldest first.
   */
  async page(ownerId: string | undefined, request: PageRequest): Promise<Page<Note>> {
    const where: Prisma.NoteWhereInput = ownerId === undefined ? {} : { ownerId };
    const order: Prisma.SortOrder = ownerId === undefined ? 'asc' : 'desc';
    const [items, total] = await this.prisma.$transaction([
      this.prisma.note.findMany({ where, orderBy: [{ createdAt: order }, { id: order }], ...pageWindow(request) }),
      this.prisma.note.count({ where }),
    ]);
    return { items, total, page: request.page, limit: request.limit };
  }
}
