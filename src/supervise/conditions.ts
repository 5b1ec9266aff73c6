// When a dependency of a group meets its condition (issue 14), judged from a ServiceLike alone:
// its events, its state and its `ready` promise. Each watcher is subscribed the moment the
// dependency is made, so no event it emits can be missed.
import type { DependencyCondition, ServiceEvent, ServiceLike } from './types.js';

/** Why a condition can no longer be met: 'went fatal: crash loop', 'was stopped', ... */
export class ConditionFailed extends Error {}

/** A service that has spawned at least once (even one that has since exited) has 'started'. */
function hasStarted(s: ServiceLike): boolean {
  return s.pid !== null || (s.lastExit !== null && s.lastExit.pid > 0);
}

// Reasons the condition will never be met, from the state (for what happened before the watch)
// or from an event.
function failure(s: ServiceLike, event: ServiceEvent | null): string | null {
  if (event?.type === 'fatal') return `went fatal (${event.reason})`;
  if (event?.type === 'stopped' || s.state === 'stopped') return 'was stopped';
  if (s.state === 'fatal') return 'went fatal';
  return null;
}

/**
 * Resolves once `service` meets `condition`; rejects with ConditionFailed when it cannot any more.
 * 'healthy' of a service without a health probe (`hasHealth` false) means 'ready': it has nothing
 * else to pass, and refusing the group would make `healthy` unusable on half of the services.
 */
export function meetCondition(service: ServiceLike, condition: DependencyCondition, hasHealth: boolean): Promise<void> {
  if (condition === 'ready' || (condition === 'healthy' && !hasHealth)) {
    // The service's own promise already says "ready, or fatal / stopped first".
    return service.ready.catch((error: unknown) => {
      const why = failure(service, null) ?? (error instanceof Error ? error.message : String(error));
      throw new ConditionFailed(`never became ready: ${why}`, { cause: error });
    });
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (why: string | null): void => {
      if (settled) return;
      settled = true;
      off();
      if (why === null) resolve();
      else reject(new ConditionFailed(why));
    };
    // 'completed' is judged from the state after the exit: the exit event may come before the
    // state says whether a restart follows, so it is judged again once the emit has returned.
    const judgeCompleted = (): void => {
      if (settled || service.state !== 'exited') return;
      const exit = service.lastExit;
      if (exit && !exit.failed) settle(null);
      else settle(`exited with a failure and will not restart (${describeExit(exit)})`);
    };
    const judge = (event: ServiceEvent | null): void => {
      if (condition === 'started' && (event?.type === 'spawn' || (event === null && hasStarted(service)))) {
        settle(null);
        return;
      }
      if (condition === 'healthy' && event?.type === 'healthy') {
        settle(null);
        return;
      }
      if (condition === 'completed') {
        judgeCompleted();
        if (event?.type === 'exit') {
          queueMicrotask(judgeCompleted);
          // And a turn later, in case the Service settles its state after a step of its own.
          setImmediate(judgeCompleted);
        }
      }
      const why = failure(service, event);
      if (why !== null) settle(condition === 'completed' && service.lastExit ? `${why} before completing` : why);
    };
    const off = service.on(judge);
    judge(null);
  });
}

function describeExit(exit: ServiceLike['lastExit']): string {
  if (exit === null) return 'no exit recorded';
  if (exit.reason !== 'exit') return exit.reason;
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`;
}
