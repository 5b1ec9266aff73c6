// `name | line`: every line of every service, under its name padded to the widest, so the columns
// line up. Coloured only on a terminal, and never when NO_COLOR is set (no-color.org), so a log
// file or a pipe gets plain text.

/** The name `nursery up`'s own lines (started, exited, stopping) go under. */
export const SYSTEM_NAME = 'nursery';

// Six of the eight basic ANSI colours (black and white vanish on one background or the other).
const COLOURS = [36, 33, 32, 35, 34, 31] as const;
const RESET = '\u001b[0m';

/** Colour when `out` is a terminal and NO_COLOR is unset or empty. */
export function colourWanted(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return out.isTTY === true && (env['NO_COLOR'] ?? '') === '';
}

export class Prefixer {
  readonly #prefixes = new Map<string, string>();
  readonly #width: number;
  readonly #colour: boolean;

  /** `names`: every service (the system name is added), in the order their colours are given. */
  constructor(names: readonly string[], colour: boolean) {
    this.#colour = colour;
    this.#width = Math.max(SYSTEM_NAME.length, ...names.map((n) => n.length));
    names.forEach((name, i) => this.#prefixes.set(name, this.#make(name, COLOURS[i % COLOURS.length])));
    // The system's own lines stand apart: bold, no colour of a service.
    this.#prefixes.set(SYSTEM_NAME, this.#make(SYSTEM_NAME, 1));
  }

  #make(name: string, sgr: number | undefined): string {
    const text = `${name.padEnd(this.#width)} | `;
    return this.#colour && sgr !== undefined ? `\u001b[${sgr}m${text}${RESET}` : text;
  }

  /** One output line, newline included. A terminal control sequence in `line` is the service's own. */
  line(name: string, line: string): string {
    const prefix = this.#prefixes.get(name) ?? this.#make(name, undefined);
    return `${prefix}${line}\n`;
  }
}
