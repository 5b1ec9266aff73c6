// nursery_children_exited_total: children that exited, by owner and outcome.
import type { ExitOutcomes } from '../../stats.js';
import type { ValueMetric } from './define.js';

/** The `outcome` label's values, one per way a child can end (stats().owners[o].exited). */
export const OUTCOME_LABELS: Record<keyof ExitOutcomes, string> = {
  codeZero: 'code_zero',
  codeNonZero: 'code_nonzero',
  signal: 'signal',
  timeout: 'timeout',
  aborted: 'aborted',
};

export const exited: ValueMetric = {
  kind: 'counter',
  name: 'nursery_children_exited_total',
  help:
    'Children that exited (their whole tree gone), by owner and outcome: code_zero, code_nonzero, signal, ' +
    'timeout (timeoutMs), aborted (AbortSignal).',
  labelNames: ['owner', 'outcome'],
  samples: (stats) =>
    Object.entries(stats.owners).flatMap(([owner, o]) =>
      (Object.keys(OUTCOME_LABELS) as (keyof ExitOutcomes)[]).map((k) => ({
        labels: { owner, outcome: OUTCOME_LABELS[k] },
        value: o.exited[k],
      })),
    ),
};
