// Command lines can hold secrets (`--token abc`, `PGPASSWORD=...`, a URL with a password). What
// the debug endpoint and `nursery ps` show of a command passes through a redaction hook first;
// this is the default. It errs towards hiding: a value hidden by mistake costs a look at the
// source, a token shown by mistake costs a rotation. The environment is never read at all.
import type { Redactor } from '../../options/debug.js';

/** Replaces what was hidden. */
export const REDACTED = '***';

// A name "looks secret" when one of its words (split at -, _, . and camelCase) is one of these.
const SECRET_WORDS = new Set([
  'token',
  'password',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'key',
  'apikey',
  'auth',
  'authorization',
  'credential',
  'credentials',
  'cookie',
  'session',
  'signature',
  'private',
  'bearer',
  'dsn',
]);

/** True for a flag or variable name such as `token`, `api-key`, `DB_PASSWORD`, `clientSecret`. */
export function looksSecret(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s._-]+/)
    .filter(Boolean);
  return words.some((w) => SECRET_WORDS.has(w));
}

// user:password@ in a URL (scheme://user:pass@host).
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^/@\s]*@/i;

function redactWord(word: string): string {
  const url = URL_PASSWORD.exec(word);
  if (url) return `${url[1]}${REDACTED}@${word.slice(url[0].length)}`;
  return word;
}

/**
 * The default redaction: hides the value of a flag named like a secret (`--token=x`, `--token x`,
 * `-password x`, `--api-key x`), of a `NAME=value` word whose name looks secret (`API_KEY=x`), and
 * the password of a URL (`https://user:x@host`). Everything else is shown as it is.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const word of argv) {
    if (hideNext) {
      hideNext = false;
      if (!word.startsWith('-')) {
        out.push(REDACTED);
        continue;
      }
    }
    const flag = /^--?([A-Za-z][\w.-]*)(=.*)?$/s.exec(word);
    if (flag?.[1] !== undefined && looksSecret(flag[1])) {
      if (flag[2] !== undefined) out.push(`${word.slice(0, word.length - flag[2].length)}=${REDACTED}`);
      else {
        out.push(word);
        hideNext = true;
      }
      continue;
    }
    const assign = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(word);
    if (assign?.[1] !== undefined && assign[2] !== '' && looksSecret(assign[1])) {
      out.push(`${assign[1]}=${REDACTED}`);
      continue;
    }
    // A script (`sh -c "... --token x ..."`): the same rules, word by word inside it.
    out.push(/\s/.test(word) ? redactScript(word) : redactWord(word));
  }
  return out;
}

function redactScript(script: string): string {
  const parts = script.split(/(\s+)/);
  const words = parts.filter((_, i) => i % 2 === 0);
  const hidden = redactArgv(words);
  return parts.map((p, i) => (i % 2 === 0 ? (hidden[i / 2] ?? p) : p)).join('');
}

/** Runs a user's hook; one that throws or returns junk hides the arguments rather than showing them. */
export function applyRedactor(redact: Redactor, argv: readonly string[]): string[] {
  try {
    const out = redact([...argv]);
    if (Array.isArray(out) && out.every((w) => typeof w === 'string')) return out;
  } catch {
    // fall through: hide
  }
  return argv.length > 0 ? [argv[0] as string, REDACTED] : [];
}
