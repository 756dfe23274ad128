import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/access-control/roles.decorator';
import { AuditService } from './audit.service';
import { AuditEventDto, AuditEventPageDto, ListAuditEventsQueryDto } from './dto/audit-event.dto';

@ApiTags('audit')
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Roles('ADMIN')
  @Get()
  @ApiOperation({ summary: 'Security events, newest first', operationId: 'listAuditEvents' })
  @ApiOkResponse({ description: 'One page of events, newest first', type: AuditEventPageDto })
  async list(@Query() query: ListAuditEventsQueryDto): Promise<AuditEventPageDto> {
    const page = await this.audit.list(query);
    return { ...page, items: page.items.map((event) => AuditEventDto.from(event)) };
  }
}
