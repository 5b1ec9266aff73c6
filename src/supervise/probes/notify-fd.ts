// s6's notification-fd protocol: the service writes a newline to the fd it was given (the spawn's
// notifyFd) once it is ready, then usually closes it. Anything before the newline is ignored, as
// s6-supervise ignores it, so a program that writes "ok\n" is ready too.
//
// End of file without a newline rejects at once. Nobody else holds the pipe's write end, so once
// the service (and every process that inherited the fd) has closed it, no newline can ever come:
// waiting for the timeout would only delay a failed start that is already certain. s6 leaves such
// a service "up but never ready"; for a supervisor whose readiness timeout is a failed start
// anyway, the earlier answer is the same answer.
import type { Readable } from 'node:stream';
import type { ProbeContext } from '../types.js';
import { until } from './wait.js';

const NEWLINE = 0x0a;

function hasNewline(chunk: Buffer | string): boolean {
  return typeof chunk === 'string' ? chunk.includes('\n') : chunk.includes(NEWLINE);
}

/**
 * Resolves at the first newline read from ctx.notify; rejects on EOF before one, on an error of
 * the pipe, and when ctx.signal aborts.
 */
export function notifyReady(fd: number, ctx: ProbeContext): Promise<void> {
  const what = `ready probe notifyFd ${fd} of ${ctx.service}`;
  const stream: Readable | null = ctx.notify;
  if (stream === null) {
    return Promise.reject(new Error(`${what}: the service was started without a notification pipe (notifyFd)`));
  }
  return until(what, ctx.signal, ({ resolve, reject }) => {
    const closed = (): void => reject(new Error(`${what}: the service closed fd ${fd} without writing a newline`));
    if (stream.readableEnded || stream.destroyed) {
      closed();
      return () => {};
    }
    const onData = (chunk: Buffer | string): void => {
      if (hasNewline(chunk)) resolve();
    };
    const onError = (error: Error): void => reject(new Error(`${what}: ${error.message}`, { cause: error }));
    // 'data' puts the stream in flowing mode, and it stays there after this probe detaches: what
    // the service writes later is dropped, and the pipe still drains to EOF and closes (a paused
    // pipe with unread data would keep its fd open in the host).
    stream.on('data', onData);
    stream.on('end', closed);
    stream.on('close', closed);
    stream.on('error', onError);
    return () => {
      stream.off('data', onData);
      stream.off('end', closed);
      stream.off('close', closed);
      stream.off('error', onError);
    };
  });
}
