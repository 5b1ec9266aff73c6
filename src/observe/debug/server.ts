// serveDebug(): a small HTTP server of its own for the debug handler, on 127.0.0.1 or a unix
// socket (0600) unless told otherwise. It is built to shrug off junk: headers past 8 KiB get 431, a
// client that sends its request slowly is cut off after 5 s (headers) or 10 s (whole request), idle
// connections after 5 s, and at most 32 connections are open at once. It never keeps the host alive.
import { lstatSync, unlinkSync, chmodSync } from 'node:fs';
import { type Server, STATUS_CODES, createServer } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { isMainThread } from 'node:worker_threads';
import type { ResolvedListen } from '../../options/debug.js';
import { warnOnce } from '../../warnings.js';
import type { DebugHandler } from './handler.js';

export interface DebugServer {
  /** `http://127.0.0.1:PORT/debug/processes`, or `unix:/path/to.sock` for a socket. */
  readonly url: string;
  /** The TCP port (null for a socket). */
  readonly port: number | null;
  readonly socketPath: string | null;
  /** Stops listening, ends open connections, removes the socket file. */
  close(): Promise<void>;
}

export const LIMITS = {
  maxHeaderSize: 8192,
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5000,
  maxConnections: 32,
};

function onClientError(error: Error & { code?: string }, socket: Duplex): void {
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function listen(server: Server, target: number | string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      server.removeListener('listening', ok);
      reject(error);
    };
    const ok = (): void => {
      server.removeListener('error', fail);
      resolve();
    };
    server.once('error', fail).once('listening', ok);
    if (typeof target === 'number') server.listen(target, host);
    else server.listen(target);
  });
}

// A socket file left by a process that died: nobody answers on it, so it may be replaced.
function isStaleSocket(path: string): Promise<boolean> {
  try {
    if (!lstatSync(path).isSocket()) return Promise.resolve(false);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const c = connect(path);
    c.once('connect', () => (c.destroy(), resolve(false)));
    c.once('error', (e: Error & { code?: string }) => resolve(e.code === 'ECONNREFUSED'));
  });
}

// The socket is created with a umask that leaves it 0600 from its first instant (bind happens inside
// listen(), synchronously), then set to the mode asked for. A worker thread cannot change the umask:
// there the chmod alone applies.
async function listenUnix(server: Server, path: string, mode: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const old = isMainThread ? process.umask(0o177) : null;
    let listening: Promise<void>;
    try {
      listening = listen(server, path);
    } finally {
      if (old !== null) process.umask(old);
    }
    try {
      await listening;
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt > 0 || !(await isStaleSocket(path)))
        throw error;
      unlinkSync(path);
    }
  }
  chmodSync(path, mode);
}

export async function startDebugServer(handler: DebugHandler, where: ResolvedListen): Promise<DebugServer> {
  const server = createServer(
    {
      maxHeaderSize: LIMITS.maxHeaderSize,
      headersTimeout: LIMITS.headersTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
      keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: 500,
    },
    handler,
  );
  server.maxConnections = LIMITS.maxConnections;
  server.on('clientError', onClientError);
  if (where.kind === 'unix') await listenUnix(server, where.socketPath, where.socketMode);
  else {
    await listen(server, where.port, where.host);
    if (!where.loopback)
      warnOnce(
        'NURSERY_DEBUG_EXPOSED',
        `nursery: the debug endpoint listens on ${where.host}, not a loopback address: whoever reaches it sees ` +
          'every child of this process, its PID and (redacted) command line.',
      );
  }
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : null;
  const host =
    where.kind === 'tcp' && where.host.includes(':') ? `[${where.host}]` : where.kind === 'tcp' ? where.host : '';
  let closing: Promise<void> | null = null;
  return {
    url: where.kind === 'unix' ? `unix:${where.socketPath}` : `http://${host}:${port}/debug/processes`,
    port,
    socketPath: where.kind === 'unix' ? where.socketPath : null,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => {
        if (where.kind === 'unix') {
          try {
            unlinkSync(where.socketPath);
          } catch {
            // already gone
          }
        }
      });
      return closing;
    },
  };
}
