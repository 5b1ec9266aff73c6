// `nursery ps`: the children of a running nursery, read from its debug endpoint (serveDebug() or
// debugHandler()), as a table grouped by owner, or as the endpoint's JSON with --json. --watch
// redraws in place on a terminal (like top) and prints one snapshot after another in a pipe.
import { type RequestOptions, request } from 'node:http';
import type { DebugSnapshot } from '../observe/debug/snapshot.js';
import { renderTable } from './ps-render.js';

export const PS_USAGE = `usage: nursery ps [--socket PATH | --url URL] [--json] [--watch] [--interval SECONDS]

Lists the children of a running nursery, grouped by owner, from its debug endpoint
(nursery.serveDebug() or nursery.debugHandler()).

  --socket PATH   the endpoint's unix socket (or $NURSERY_DEBUG_SOCKET)
  --url URL       the endpoint's URL, e.g. http://127.0.0.1:9300 (or $NURSERY_DEBUG_URL)
  --json          print the endpoint's JSON (versioned; see docs/observe.md)
  --watch         redraw every --interval seconds (default 2) until interrupted

exit codes: 0 done, 1 the endpoint cannot be read, 2 usage error
`;

interface PsArgs {
  socket: string | null;
  url: string | null;
  json: boolean;
  watch: boolean;
  intervalMs: number;
}

function parse(argv: readonly string[]): PsArgs | string {
  const a: PsArgs = { socket: null, url: null, json: false, watch: false, intervalMs: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--json') a.json = true;
    else if (flag === '--watch' || flag === '-w') a.watch = true;
    else if (flag === '--socket') a.socket = value() ?? '';
    else if (flag === '--url') a.url = value() ?? '';
    else if (flag === '--interval') a.intervalMs = Number(value()) * 1000;
    else return `unknown argument ${JSON.stringify(arg)}`;
  }
  a.socket ??= process.env['NURSERY_DEBUG_SOCKET'] ?? null;
  a.url ??= a.socket === null ? (process.env['NURSERY_DEBUG_URL'] ?? null) : null;
  if (a.socket === '' || a.url === '') return 'the flag needs a value';
  if ((a.socket === null) === (a.url === null)) return 'give one of --socket PATH or --url URL';
  if (!Number.isFinite(a.intervalMs) || a.intervalMs < 100) return '--interval must be a number of seconds >= 0.1';
  return a;
}

/** GETs the snapshot as JSON from a socket or a URL (the path defaults to /debug/processes). */
export function fetchSnapshot(
  target: { socket: string } | { url: string },
  timeoutMs = 10_000,
): Promise<DebugSnapshot> {
  let options: RequestOptions;
  if ('socket' in target) options = { socketPath: target.socket, path: '/debug/processes' };
  else {
    const u = new URL(target.url);
    if (u.protocol !== 'http:') return Promise.reject(new Error(`only http: URLs are supported, not ${u.protocol}`));
    const path = u.pathname === '/' ? '/debug/processes' : u.pathname;
    options = { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port === '' ? 80 : Number(u.port), path };
  }
  return new Promise((resolve, reject) => {
    const req = request({ ...options, headers: { accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`the endpoint answered ${res.statusCode}: ${body.trim()}`));
        try {
          const snapshot = JSON.parse(body) as DebugSnapshot;
          if (snapshot.version !== 1) return reject(new Error(`unknown snapshot version ${String(snapshot.version)}`));
          resolve(snapshot);
        } catch (error) {
          reject(new Error(`the endpoint's answer is not JSON: ${String(error)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function ps(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(PS_USAGE);
    return 0;
  }
  const a = parse(argv);
  if (typeof a === 'string') {
    process.stderr.write(`nursery ps: ${a}\n\n${PS_USAGE}`);
    return 2;
  }
  const target = a.socket !== null ? { socket: a.socket } : { url: a.url as string };
  const tty = process.stdout.isTTY === true;
  const show = (s: DebugSnapshot): string =>
    a.json ? `${JSON.stringify(s, null, 2)}\n` : renderTable(s, tty ? Math.max(60, process.stdout.columns || 80) : 80);
  if (!a.watch) {
    try {
      process.stdout.write(show(await fetchSnapshot(target)));
      return 0;
    } catch (error) {
      process.stderr.write(`nursery ps: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
  }
  // --watch: until Ctrl-C (a CLI may own its signals), or the reader of the pipe goes away.
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  process.stdout.on('error', () => (stop = true));
  while (!stop) {
    let text: string;
    try {
      text = show(await fetchSnapshot(target));
    } catch (error) {
      text = `nursery ps: ${error instanceof Error ? error.message : String(error)} (retrying)\n`;
    }
    if (tty) process.stdout.write(`\x1b[H\x1b[2J${text}`);
    else process.stdout.write(`--- ${new Date().toISOString()}\n${text}\n`);
    const deadline = Date.now() + a.intervalMs;
    while (!stop && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, Math.min(100, deadline - Date.now())));
  }
  return 0;
}
