// The debug endpoint as a plain (req, res) handler for any Node HTTP server: GET /debug/processes
// answers JSON (the snapshot), or the live page for a browser (Accept: text/html, or ?format=html).
// A bad request gets a clean 4xx and nothing else happens; the snapshot is built synchronously, in
// milliseconds, and the body is sent with one write.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redactor } from '../../options/debug.js';
import type { ObserveSource } from '../source.js';
import { renderPage } from './page.js';
import { redactArgv } from './redact.js';
import { type DebugSnapshot, takeSnapshot } from './snapshot.js';

export const DEBUG_PATH = '/debug/processes';
/** A longer URL gets 414 (the server of serveDebug() already refuses headers past 8 KiB with 431). */
export const MAX_URL_LENGTH = 2048;

export type DebugHandler = (req: IncomingMessage, res: ServerResponse) => void;

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string, extra = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function fail(req: IncomingMessage, res: ServerResponse, status: number, error: string, extra = {}): void {
  send(req, res, status, 'application/json; charset=utf-8', `${JSON.stringify({ error })}\n`, extra);
}

/** 'html' when the client asks for a page (a browser), else 'json'. */
export function wantsHtml(req: IncomingMessage, query: URLSearchParams): boolean {
  const format = query.get('format');
  if (format === 'html' || format === 'json') return format === 'html';
  const accept = String(req.headers.accept ?? '').toLowerCase();
  const html = accept.indexOf('text/html');
  const json = accept.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}

/** Requests this close together share one snapshot: a client asking in a loop costs one walk per period. */
export const SNAPSHOT_REUSE_MS = 250;

export function makeDebugHandler(source: ObserveSource, redact: Redactor = redactArgv): DebugHandler {
  let last: { at: number; snapshot: DebugSnapshot } | null = null;
  const snapshot = (): DebugSnapshot => {
    const now = performance.now();
    if (last === null || now - last.at >= SNAPSHOT_REUSE_MS) last = { at: now, snapshot: takeSnapshot(source, redact) };
    return last.snapshot;
  };
  return (req, res) => {
    // The body of a request is never read: drain it so that the connection can serve the next one.
    req.resume();
    const url = req.url ?? '/';
    if (url.length > MAX_URL_LENGTH) return fail(req, res, 414, 'URI too long');
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== DEBUG_PATH && path !== `${DEBUG_PATH}/`) return fail(req, res, 404, `not found: try ${DEBUG_PATH}`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return fail(req, res, 405, 'method not allowed', { allow: 'GET, HEAD' });
    let body: string;
    let html: boolean;
    try {
      html = wantsHtml(req, new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
      const snap = snapshot();
      if (html) {
        const nonce = randomBytes(16).toString('base64');
        body = renderPage(snap, nonce);
        return send(req, res, 200, 'text/html; charset=utf-8', body, {
          'content-security-policy':
            `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; ` +
            "connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          'x-frame-options': 'DENY',
          vary: 'accept',
        });
      }
      body = `${JSON.stringify(snap)}\n`;
    } catch (error) {
      return fail(req, res, 500, `snapshot failed: ${String(error)}`);
    }
    send(req, res, 200, 'application/json; charset=utf-8', body, { vary: 'accept' });
  };
}
