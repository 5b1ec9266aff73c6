// The default ProbeRunner: which probe a spec names, and the probe of that kind. The Service calls
// it through the ProbeRunner interface (src/supervise/types.ts) and ends a probe by aborting
// ctx.signal (its readiness timeout, a health check's limit, the end of the incarnation); every
// probe then rejects promptly and leaves no listener, socket, timer or process behind.
//
// Failures are plain Errors whose message names the probe, the service and what went wrong
// ("health check tcp 127.0.0.1:8080 of api: connect ECONNREFUSED 127.0.0.1:8080"), ready for an
// 'unready' event's reason. An abort is a ProbeAbortError (name 'AbortError', code 'ABORT_ERR',
// the signal's reason as cause), its message carrying the last attempt's failure.
import { DEFAULT_TCP_HOST, PROBE_KINDS, type ProbeKind } from '../../options/probe.js';
import type { ProbeContext, ProbeRunner, ProbeSpec } from '../types.js';
import { execCheck, execReady } from './exec.js';
import { httpCheck, httpReady } from './http.js';
import { ipcReady } from './ipc.js';
import { logLineReady } from './log-line.js';
import { notifyReady } from './notify-fd.js';
import { tcpCheck, tcpReady } from './tcp.js';

export { ProbeAbortError } from './wait.js';

/** The one kind a (checked) spec names. */
export function probeKind(spec: ProbeSpec): ProbeKind {
  const kind = PROBE_KINDS.find((k) => k in spec);
  // resolveProbe() refuses such a spec first; this is for a runner called with an unchecked one.
  if (kind === undefined) throw new TypeError(`Not a probe spec: it names none of ${PROBE_KINDS.join(', ')}`);
  return kind;
}

function tcpTarget(spec: { tcp: number; host?: string }): { port: number; host: string } {
  return { port: spec.tcp, host: spec.host ?? DEFAULT_TCP_HOST };
}

function ready(spec: ProbeSpec, ctx: ProbeContext): Promise<void> {
  if ('notifyFd' in spec) return notifyReady(spec.notifyFd, ctx);
  if ('ipc' in spec) return ipcReady(spec.ipc, ctx);
  if ('logLine' in spec) return logLineReady(spec.logLine, ctx);
  if ('tcp' in spec) return tcpReady(tcpTarget(spec), ctx);
  if ('http' in spec) return httpReady(spec.http, ctx);
  return execReady(spec.exec, ctx);
}

// A notification, a message or a log line happens once: there is nothing to ask again, so none of
// them can tell whether a service is still healthy.
function check(spec: ProbeSpec, ctx: ProbeContext): Promise<void> {
  if ('tcp' in spec) return tcpCheck(tcpTarget(spec), ctx);
  if ('http' in spec) return httpCheck(spec.http, ctx);
  if ('exec' in spec) return execCheck(spec.exec, ctx);
  const kind = probeKind(spec);
  return Promise.reject(
    new TypeError(`A ${kind} probe cannot be a health check (it answers once): use tcp, http or exec`),
  );
}

// Never throws synchronously: a bad spec is a rejection, like every other failure of a probe.
function guarded(probe: (spec: ProbeSpec, ctx: ProbeContext) => Promise<void>) {
  return (spec: ProbeSpec, ctx: ProbeContext): Promise<void> => {
    try {
      probeKind(spec);
      return probe(spec, ctx);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

/** Real probes: real fds, IPC channels, sockets, HTTP requests and commands. */
export const defaultProbeRunner: ProbeRunner = Object.freeze({ ready: guarded(ready), check: guarded(check) });
