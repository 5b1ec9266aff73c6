// A TCP port that accepts a connection: the service listens. The probe connects and closes at once
// (it sends nothing, so any protocol is fine: a database, a message broker, a raw socket server).
import { connect } from 'node:net';
import type { ProbeContext } from '../types.js';
import { ProbeAbortError, retry } from './wait.js';

export interface TcpTarget {
  port: number;
  host: string;
}

function ignore(): void {}

function label(target: TcpTarget): string {
  // An IPv6 literal is bracketed, as in a URL, so the port stays readable.
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `tcp ${host}:${target.port}`;
}

/**
 * One connection attempt: resolves once connected (the socket is destroyed at once), rejects with
 * the connect error (ECONNREFUSED while nothing listens), or with a ProbeAbortError when `signal`
 * aborts, whatever stage the connection is in (a SYN to an address that drops packets can
 * otherwise hang for minutes).
 */
export function tcpAttempt(target: TcpTarget, signal: AbortSignal, what = label(target)): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(new ProbeAbortError(what, signal));
      return;
    }
    const socket = connect({ port: target.port, host: target.host });
    const done = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      // A late error of a socket being torn down is nobody's business, but unheard it would crash
      // the host.
      socket.on('error', ignore);
      // Nothing was written: a plain close (FIN), and the fd is released now, not at a later GC.
      socket.destroy();
    };
    const onConnect = (): void => {
      done();
      resolve();
    };
    const onError = (error: Error): void => {
      done();
      reject(new Error(`${what}: ${error.message}`, { cause: error }));
    };
    const onAbort = (): void => {
      done();
      reject(new ProbeAbortError(what, signal));
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Connects until a connection is accepted (see retry() for the pace); rejects when ctx.signal aborts. */
export function tcpReady(target: TcpTarget, ctx: ProbeContext): Promise<void> {
  const what = `ready probe ${label(target)} of ${ctx.service}`;
  return retry(what, ctx.signal, () => tcpAttempt(target, ctx.signal, label(target)));
}

/** One health check: a connection accepted within the time the Service gives it (ctx.signal). */
export function tcpCheck(target: TcpTarget, ctx: ProbeContext): Promise<void> {
  return tcpAttempt(target, ctx.signal, `health check ${label(target)} of ${ctx.service}`);
}
