import { Global, Module } from '@nestjs/common';
import { EventLoopWatch } from './event-loop-watch';
import { ShutdownState } from './shutdown-state';

@Global()
@Module({ providers: [ShutdownState, EventLoopWatch], exports: [ShutdownState, EventLoopWatch] })
export class LifecycleModule {}
