// Node's IPC channel to a child, behind the IpcChannel interface: the ChildProcess stays inside
// src/spawn/.
/* eslint-disable nursery/no-raw-child-process -- the spawn module is the one allowed place */
import type { ChildProcess } from 'node:child_process';
import type { IpcChannel } from './types.js';

export class Channel implements IpcChannel {
  #cp: ChildProcess;

  constructor(cp: ChildProcess) {
    this.#cp = cp;
  }
  get connected(): boolean {
    return this.#cp.connected;
  }
  send(message: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        // With a callback, Node reports a closed channel or a failed write there, never as an
        // 'error' event; serialization errors (a BigInt in JSON) are thrown synchronously.
        this.#cp.send(message as never, (error) => (error ? reject(error) : resolve()));
      } catch (error) {
        reject(error as Error);
      }
    });
  }
  onMessage(listener: (message: unknown) => void): () => void {
    this.#cp.on('message', listener);
    return () => void this.#cp.off('message', listener);
  }
  onDisconnect(listener: () => void): () => void {
    this.#cp.once('disconnect', listener);
    return () => void this.#cp.off('disconnect', listener);
  }
  disconnect(): void {
    if (this.#cp.connected) this.#cp.disconnect();
  }
}
