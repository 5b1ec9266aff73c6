// Small C helpers compiled at bench time with the machine's cc (nothing is downloaded): a child
// that timestamps signal receipt with CLOCK_MONOTONIC, tini's signal-configuration wrapper, and a
// wrapper that execs its arguments with SIGCHLD ignored.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath } from './peers.js';

// Prints "ready <pid>" and then, for every USR1, USR2, HUP or TERM, "sig <n> <ns>" from its
// handler: CLOCK_MONOTONIC, the clock process.hrtime.bigint() reads on Linux. TERM also exits.
// Only write(2) and clock_gettime(2) in the handler, both async-signal-safe.
const SIGSTAMP = `
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static void put(const char *s, int n) {
  while (n > 0) { ssize_t w = write(1, s, n); if (w <= 0) return; s += w; n -= w; }
}
static int num(char *end, unsigned long long v) {
  int n = 0; do { *--end = '0' + v % 10; v /= 10; n++; } while (v); return n;
}
static void on(int sig) {
  struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
  char buf[64]; char *end = buf + sizeof buf - 1; *end = '\\n';
  int n = 1 + num(end, (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
  char *p = end - n + 1; *--p = ' '; n++;
  int k = num(p, (unsigned long long)sig); p -= k; n += k;
  *--p = ' '; *--p = 'g'; *--p = 'i'; *--p = 's'; n += 4;
  put(p, n);
  if (sig == SIGTERM) _exit(0);
}
int main(void) {
  struct sigaction sa = {0}; sa.sa_handler = on; sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGUSR1, SIGUSR2, SIGHUP, SIGTERM};
  for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++) sigaction(sigs[i], &sa, 0);
  char buf[32]; char *end = buf + sizeof buf - 1; *end = '\\n';
  int n = 1 + num(end, (unsigned long long)getpid());
  char *p = end - n + 1; *--p = ' '; p -= 5; for (int i = 0; i < 5; i++) p[i] = "ready"[i]; n += 6;
  put(p, n);
  for (;;) pause();
}
`;

// tini's test/sigconf: ignore TTOU, SEGV, INT; block TTIN, ILL, TERM; then exec argv[1..].
const SIGCONF = `
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char *argv[]) {
  (void)argc;
  signal(SIGTTOU, SIG_IGN); signal(SIGSEGV, SIG_IGN); signal(SIGINT, SIG_IGN);
  sigset_t set; sigemptyset(&set);
  sigaddset(&set, SIGTTIN); sigaddset(&set, SIGILL); sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, 0);
  execvp(argv[1], argv + 1);
  perror("exec"); return 127;
}
`;

// A parent that leaves SIGCHLD ignored (SIG_IGN survives exec): the kernel then reaps children by
// itself, and an init that waits for SIGCHLD without resetting it never hears of its child's end.
const IGNCHLD = `
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(int argc, char *argv[]) {
  (void)argc;
  signal(SIGCHLD, SIG_IGN);
  execvp(argv[1], argv + 1);
  perror("exec"); return 127;
}
`;

const SOURCES = { sigstamp: SIGSTAMP, sigconf: SIGCONF, ignchld: IGNCHLD } as const;
export type Helper = keyof typeof SOURCES;

/** Compiles the helper into `dir`; returns its path, or why it cannot be built here. */
export function compile(helper: Helper, dir: string): { path: string } | { error: string } {
  const cc = onPath('cc') ?? onPath('gcc');
  if (!cc) return { error: 'no C compiler (cc)' };
  const src = join(dir, `${helper}.c`);
  const out = join(dir, helper);
  writeFileSync(src, SOURCES[helper]);
  const r = spawnSync(cc, ['-O2', '-o', out, src], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { error: `cc failed: ${(r.stderr || r.error?.message || '').trim()}` };
  return { path: out };
}
