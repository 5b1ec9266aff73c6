// An HTTP endpoint that answers: a GET with Node's global fetch, where any 2xx or 3xx is a pass
// (Kubernetes' httpGet rule: a redirect means the server is up and routing). Redirects are not
// followed, so a probe never leaves the service for wherever it points.
//
// Each request says "Connection: close": a probe every few seconds gains nothing from keep-alive,
// and a pooled socket would outlive the probe (a handle left open in the host, a connection the
// service keeps counting). The body is cancelled unread, so a large health page costs nothing and
// its socket is released at once.
import type { ProbeContext } from '../types.js';
import { ProbeAbortError, describe, retry } from './wait.js';

function passes(status: number): boolean {
  return status >= 200 && status < 400;
}

// fetch() reports every network failure as TypeError('fetch failed') and puts the reason
// (ECONNREFUSED, a bad certificate...) in `cause`: name that.
function networkFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return describe(cause ?? error);
}

/**
 * One GET: resolves on 2xx or 3xx, rejects on any other status or a network error, or with a
 * ProbeAbortError once `signal` aborts (fetch stops the request itself, at any stage).
 */
export async function httpAttempt(url: string, signal: AbortSignal, what = `http ${url}`): Promise<void> {
  if (signal.aborted) throw new ProbeAbortError(what, signal);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: { connection: 'close', 'user-agent': 'nursery-probe' },
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw new ProbeAbortError(what, signal);
    throw new Error(`${what}: ${networkFailure(error)}`, { cause: error });
  }
  // The body is not read: cancelling it ends the transfer. It can fail only if the stream has
  // already errored (the abort, a reset), which changes nothing about the status.
  await response.body?.cancel().catch(() => undefined);
  if (signal.aborted) throw new ProbeAbortError(what, signal);
  if (!passes(response.status)) throw new Error(`${what}: HTTP ${response.status} ${response.statusText}`.trimEnd());
}

/** GETs the URL until it answers 2xx or 3xx (see retry() for the pace); rejects when ctx.signal aborts. */
export function httpReady(url: string, ctx: ProbeContext): Promise<void> {
  return retry(`ready probe http ${url} of ${ctx.service}`, ctx.signal, () => httpAttempt(url, ctx.signal));
}

/** One health check: a 2xx or 3xx answer within the time the Service gives it (ctx.signal). */
export function httpCheck(url: string, ctx: ProbeContext): Promise<void> {
  return httpAttempt(url, ctx.signal, `health check http ${url} of ${ctx.service}`);
}
