// The Handle's IPC half: sending with typed errors, and the child's messages as an async
// iterator. The Handle's IPC methods delegate here.
import { NurseryError } from '../errors.js';
import type { IpcChannel } from '../spawn/types.js';

export function requireIpc(ipc: IpcChannel | null, pid: number, what: string): IpcChannel {
  if (ipc === null) {
    throw new NurseryError(
      'ERR_NURSERY_NO_IPC',
      `${what}(): pid ${pid} was spawned without an IPC channel (spawn it with ipc: true)`,
    );
  }
  return ipc;
}

function closedError(pid: number, exited: boolean, cause?: unknown): NurseryError {
  const why = exited ? 'the child has exited' : 'disconnected';
  return new NurseryError('ERR_NURSERY_IPC_CLOSED', `The IPC channel to pid ${pid} is closed (${why})`, { cause });
}

export async function sendMessage(
  ipc: IpcChannel,
  pid: number,
  exited: () => boolean,
  message: unknown,
): Promise<void> {
  if (!ipc.connected) throw closedError(pid, exited());
  try {
    await ipc.send(message);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_IPC_CHANNEL_CLOSED' || !ipc.connected) throw closedError(pid, exited(), error);
    const why = (error as Error).message;
    throw new NurseryError('ERR_NURSERY_IPC_SEND', `Cannot send this message to pid ${pid}: ${why}`, { cause: error });
  }
}

// Messages are buffered from the call on, until read. Callers may call next() again before a
// promise settles: each waits its turn. What arrived before the channel closed is still
// delivered; waiters then get the end.
export function messageIterator(ipc: IpcChannel): AsyncIterableIterator<unknown> {
  const queue: unknown[] = [];
  const waiting: ((r: IteratorResult<unknown>) => void)[] = [];
  let done = !ipc.connected;
  const end = (): IteratorResult<unknown> => {
    offMessage();
    offDisconnect();
    done = true;
    queue.length = 0;
    for (const w of waiting.splice(0)) w({ done: true, value: undefined });
    return { done: true, value: undefined };
  };
  const offMessage = ipc.onMessage((m) => {
    const w = waiting.shift();
    if (w) w({ done: false, value: m });
    else queue.push(m);
  });
  const offDisconnect = ipc.onDisconnect(() => {
    done = true;
    if (queue.length === 0) end();
  });
  if (done) end();
  return {
    next(): Promise<IteratorResult<unknown>> {
      if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() });
      if (done) return Promise.resolve(end());
      return new Promise((resolve) => waiting.push(resolve));
    },
    return(): Promise<IteratorResult<unknown>> {
      return Promise.resolve(end());
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
