// The Handle of a child on a terminal (mode: 'pty'): everything a Handle is, plus the terminal:
// its output, its input and its size. stdin, stdout and stderr are null: the terminal is all three.
import { invalidOption } from '../errors.js';
import { checkFunction } from '../options/check.js';
import { checkTerminalSize } from '../options/pty.js';
import type { ResolvedSpec } from '../options/spawn.js';
import type { PtyChild } from '../spawn/types.js';
import { Handle, type HandleHooks } from './handle.js';

export class PtyHandle extends Handle {
  declare readonly mode: 'pty';
  #pty: PtyChild;

  /** @internal PtyHandles come from Nursery.spawn({ mode: 'pty', ... }). */
  constructor(child: PtyChild, spec: ResolvedSpec, hooks: HandleHooks) {
    super(child, spec, hooks);
    this.#pty = child;
  }

  override get stdin(): null {
    return null;
  }
  override get stdout(): null {
    return null;
  }
  override get stderr(): null {
    return null;
  }

  /** Columns of the terminal now. */
  get cols(): number {
    return this.#pty.cols;
  }
  /** Rows of the terminal now. */
  get rows(): number {
    return this.#pty.rows;
  }

  /**
   * Calls `listener` with each piece of the terminal's output (UTF-8 text, stdout and stderr
   * together, as a terminal shows them); returns a function that removes it. Output that arrives
   * while no listener is attached is dropped: attach right after spawn().
   * @throws NurseryOptionError when `listener` is not a function.
   */
  onData(listener: (data: string) => void): () => void {
    return this.#pty.onData(checkFunction<(data: string) => void>(listener, 'listener'));
  }

  /**
   * Types `data` into the terminal, as a keyboard would ("\r" is Enter, "\x03" is Ctrl-C).
   * Returns false, and writes nothing, once the terminal has closed.
   * @throws NurseryOptionError when `data` is neither a string nor a Uint8Array.
   */
  write(data: string | Uint8Array): boolean {
    if (typeof data !== 'string' && !(data instanceof Uint8Array))
      throw invalidOption('data', 'a string or a Uint8Array', data);
    return this.#pty.write(data);
  }

  /**
   * Sets the terminal's size; the child gets SIGWINCH. Returns false once the terminal has closed.
   * @throws NurseryOptionError unless both are integers from 1 to 65535.
   */
  resize(cols: number, rows: number): boolean {
    return this.#pty.resize(checkTerminalSize(cols, 'cols'), checkTerminalSize(rows, 'rows'));
  }
}
