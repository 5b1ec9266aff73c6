// PM2 as a peer of supervision (a devDependency of the benchmarks only), driven through its
// programmatic API from fixtures/pm2-peer.ts, a process of its own: pm2's client keeps handles
// open after disconnect() (a run whose stdout is a pipe never ends), and it reads PM2_HOME once,
// when first required. The parent (lib/pm2-peer.ts) makes the temp PM2_HOME, so nobody's ~/.pm2
// is touched; the daemon is launched here and ended with killDaemon.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Recorded, record, waitGone } from './proc.js';

type Cb<T> = (error: unknown, value: T) => void;
interface Described {
  pid?: number;
  pm2_env?: { restart_time?: number; status?: string };
}
interface Pm2Api {
  connect(cb: Cb<unknown>): void;
  start(options: Record<string, unknown>, cb: Cb<unknown>): void;
  describe(name: string, cb: Cb<Described[]>): void;
  delete(name: string, cb: Cb<unknown>): void;
  killDaemon(cb: Cb<unknown>): void;
  disconnect(): void;
}
type Pm2Class = new (options: { pm2_home: string }) => Pm2Api;

const promised = <T>(fn: (cb: Cb<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(error as Error) : resolve(value))));

export interface Pm2Session {
  home: string;
  /** "PM2_HOME=<home>": carried by the daemon and everything it starts. */
  marker: string;
  /** Starts `script` under sh with restarts as fast as PM2 allows them. */
  startCrasher(name: string, script: string, env: Record<string, string>): Promise<void>;
  /** The app's restart_time (restarts so far). */
  restarts(name: string): Promise<number>;
  /** Deletes every app and kills the daemon; whether the daemon is gone from /proc. */
  stop(): Promise<boolean>;
}

/** Connects to (launches) the daemon of PM2_HOME, which the parent set to a temp dir. */
export async function startPm2(): Promise<Pm2Session> {
  const home = process.env['PM2_HOME'];
  if (!home?.includes('nursery-bench-')) throw new Error(`PM2_HOME is not a bench temp dir: ${home}`);
  const marker = `PM2_HOME=${home}`;
  const Pm2 = (createRequire(import.meta.url)('pm2') as { custom: Pm2Class }).custom;
  const api = new Pm2({ pm2_home: home });
  await promised((cb) => api.connect(cb));
  const daemon: Recorded[] = record([Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim())]);
  const apps: string[] = [];
  return {
    home,
    marker,
    async startCrasher(name, script, env) {
      apps.push(name);
      await promised((cb) =>
        api.start(
          {
            name,
            script,
            interpreter: '/bin/sh',
            env,
            autorestart: true,
            // No delay and no backoff (exp_backoff_restart_delay left unset); min_uptime 0 so no
            // restart counts as unstable, and so max_restarts never makes the app 'errored'.
            restart_delay: 0,
            min_uptime: 0,
            max_restarts: 1e9,
            // PM2's best case: no git metadata probe (vizion) on every start.
            vizion: false,
            autostart: true,
          },
          cb,
        ),
      );
    },
    async restarts(name) {
      const list = await promised<Described[]>((cb) => api.describe(name, cb));
      return list[0]?.pm2_env?.restart_time ?? 0;
    },
    async stop() {
      for (const name of apps) await promised((cb) => api.delete(name, cb)).catch(() => undefined);
      await promised((cb) => api.killDaemon(cb)).catch(() => undefined);
      api.disconnect();
      return (await waitGone(daemon, 10_000)).left.length === 0;
    },
  };
}
