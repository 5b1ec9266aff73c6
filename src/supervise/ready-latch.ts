// A service's `ready` promise: settled once, by the first readiness or by the first end that rules
// it out (an exit for good, 'fatal', a stop). Never an unhandled rejection when nobody awaits it.
import { NurseryError } from '../errors.js';

export class ReadyLatch {
  readonly promise: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #done = false;

  constructor(readonly service: string) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.promise.catch(() => undefined);
  }

  resolve(): void {
    if (this.#done) return;
    this.#done = true;
    this.#resolve();
  }

  /** `why` completes "Service "<name>" ...". */
  reject(
    why: string,
    code: 'ERR_NURSERY_SERVICE_ENDED' | 'ERR_NURSERY_SERVICE_FATAL' = 'ERR_NURSERY_SERVICE_ENDED',
  ): void {
    if (this.#done) return;
    this.#done = true;
    this.#reject(new NurseryError(code, `Service "${this.service}" ${why}`));
  }
}
