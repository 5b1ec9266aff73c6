// The parent's side of PM2 as a peer: a temp PM2_HOME made here and given to fixtures/pm2-peer.ts
// (so nobody's ~/.pm2 is touched), its JSON result, and afterwards whatever PM2 left: everything
// the daemon started inherits PM2_HOME=<dir>, so that entry marks PM2's leftovers in /proc,
// whichever parent, group or session they ended up with. remove() kills them and the dir.
import { killMarked, marked } from './marked.js';
import { nodeFixture } from './paths.js';
import { run, tempDir } from './run.js';

export interface Pm2Run {
  result: Record<string, unknown>;
  /** Whether the daemon was gone from /proc after killDaemon (the peer's own check). */
  daemonGone: boolean;
  /** "PM2_HOME=<dir>" */
  marker: string;
  /** Live processes still carrying the marker now (PM2's daemon, its apps, their descendants). */
  left(): number[];
  /** SIGKILLs everything marked and removes the temp PM2_HOME; returns how many were killed. Always call it. */
  remove(): Promise<number>;
}

export async function runPm2(args: string[], env: Record<string, string>, timeoutMs = 600_000): Promise<Pm2Run> {
  const home = tempDir();
  const marker = `PM2_HOME=${home.path}`;
  const remove = async (): Promise<number> => {
    try {
      return await killMarked(marker);
    } finally {
      home.remove();
    }
  };
  try {
    const r = await run([process.execPath, nodeFixture('pm2-peer'), ...args], {
      env: { ...process.env, ...env, PM2_HOME: home.path },
      timeoutMs,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let result: Record<string, unknown>;
    try {
      result = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`pm2-peer gave no result (exit ${r.code ?? r.signal}): ${r.stderr.slice(-500)}`);
    }
    if (typeof result['error'] === 'string') throw new Error(`pm2-peer: ${result['error']}`);
    return { result, daemonGone: result['daemonGone'] === true, marker, left: () => marked(marker), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
