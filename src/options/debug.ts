// The options of debugHandler() and serveDebug(), checked once here. The endpoint shows every
// child's command line, so it listens where only this machine's users can reach it unless told
// otherwise: 127.0.0.1, or a unix socket that only our uid may open (0600).
import { isAbsolute, resolve } from 'node:path';
import { invalidOption } from '../errors.js';
import { checkKeys, checkObject, checkString } from './check.js';

export type Redactor = (argv: readonly string[]) => string[];

export interface DebugHandlerOptions {
  /** Redacts each command line shown (argv, command first). Default: redactArgv. */
  redact?: Redactor;
}

export interface ServeDebugOptions extends DebugHandlerOptions {
  /** A TCP port (0: any free one). Give this or `socketPath`. */
  port?: number;
  /** The address to listen on with `port`. Default '127.0.0.1'; anything but loopback warns. */
  host?: string;
  /** A unix socket to listen on instead of a port. */
  socketPath?: string;
  /** The socket's mode. Default 0o600 (only this uid). */
  socketMode?: number;
}

export type ResolvedListen =
  | { kind: 'tcp'; port: number; host: string; loopback: boolean }
  | { kind: 'unix'; socketPath: string; socketMode: number };

const HANDLER_KEYS = new Set(['redact']);
const SERVE_KEYS = new Set(['redact', 'port', 'host', 'socketPath', 'socketMode']);

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

function checkRedact(value: unknown): Redactor | undefined {
  if (value !== undefined && typeof value !== 'function') throw invalidOption('redact', 'a function', value);
  return value as Redactor | undefined;
}

/** @throws NurseryOptionError */
export function resolveDebugHandlerOptions(options: unknown): { redact: Redactor | undefined } {
  checkObject(options, 'options');
  checkKeys(options, HANDLER_KEYS, 'debugHandler');
  return { redact: checkRedact(options['redact']) };
}

/** @throws NurseryOptionError */
export function resolveServeDebugOptions(options: unknown): { redact: Redactor | undefined; listen: ResolvedListen } {
  checkObject(options, 'options');
  checkKeys(options, SERVE_KEYS, 'serveDebug');
  const redact = checkRedact(options['redact']);
  const { port, host, socketPath, socketMode } = options;
  if ((port === undefined) === (socketPath === undefined))
    throw invalidOption('port', 'given, or socketPath given instead (exactly one of the two)', port);
  if (socketPath !== undefined) {
    if (host !== undefined) throw invalidOption('host', 'absent with socketPath', host);
    const path = checkString(socketPath, 'socketPath');
    if (path.includes('\0')) throw invalidOption('socketPath', 'a path without NUL', socketPath);
    const mode = socketMode ?? 0o600;
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777)
      throw invalidOption('socketMode', 'a file mode from 0 to 0o777', socketMode);
    return { redact, listen: { kind: 'unix', socketPath: isAbsolute(path) ? path : resolve(path), socketMode: mode } };
  }
  if (socketMode !== undefined) throw invalidOption('socketMode', 'absent with port', socketMode);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    throw invalidOption('port', 'an integer from 0 to 65535', port);
  const h = host === undefined ? '127.0.0.1' : checkString(host, 'host');
  return { redact, listen: { kind: 'tcp', port, host: h, loopback: isLoopback(h) } };
}
