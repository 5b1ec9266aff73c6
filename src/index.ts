// The public surface: every name a user may import, types included. Nothing else lives here.
export { Nursery } from './nursery.js';
export type { NurseryStats, OwnerStats, ExitOutcomes } from './stats.js';
export type { ServiceStats } from './stats-services.js';
export type { Logger, LogFn } from './util/logger.js';
export type { DebugHandlerOptions, ServeDebugOptions, Redactor } from './options/debug.js';
export type { DebugHandler } from './observe/debug/handler.js';
export type { DebugServer } from './observe/debug/server.js';
export type { DebugSnapshot, ChildEntry, ProcessNode, ProcessFigures, ReapEntry } from './observe/debug/snapshot.js';
export type { ServiceEntry, ServiceExitEntry } from './observe/debug/services.js';
export { redactArgv } from './observe/debug/redact.js';
export {
  CHANNELS,
  type SpawnMessage,
  type ExitMessage,
  type StopMessage,
  type ReapMessage,
  type OrphanMessage,
  type ServiceMessage,
} from './channels.js';
export type { Handle } from './handle/handle.js';
export type { DaemonHandle } from './daemon/daemon-handle.js';
export type { DaemonExit, DaemonInfo } from './daemon/types.js';
export type { DaemonSpec } from './options/daemon.js';
export type { PtyHandle } from './handle/pty-handle.js';
export type { ChildInfo, ChildMode, ChildState, ExitInfo, RunResult } from './types.js';
export type { NurseryOptions, HostSignal } from './options/nursery.js';
export type { OrphanInfo, OrphanPolicy } from './options/orphans.js';
export type { Containment, PtySpawnSpec } from './options/spawn-spec.js';
export type { RunOptions } from './options/run.js';
export type { SpawnSpec, ForkOptions, StdioSpec, StdioValue, StdioEntry } from './options/spawn.js';
export type { StopOptions, StopAllOptions } from './options/stop.js';
export type { SignalLike } from './os/signals.js';
export type { ReapEvent, ReapPath, ReaperStats, RecentReap, DurationHistogram } from './reaper/types.js';
export type { NurseryWarningCode } from './warnings.js';
export type { Service } from './supervise/service.js';
export { DependencyError, type ServiceGroup, type GroupInfo } from './supervise/group.js';
export { ProbeAbortError } from './supervise/probes/runner.js';
export type {
  BackoffSpec,
  Clock,
  CrashLoopSpec,
  DependencyCondition,
  EndReason,
  GroupMemberSpec,
  HealthSpec,
  LogLine,
  LogsSpec,
  ProbeContext,
  ProbeRunner,
  ProbeSpec,
  RestartPolicy,
  ServiceEvent,
  ServiceExit,
  ServiceInfo,
  ServiceLike,
  ServiceSpec,
  ServiceState,
  SuperviseHooks,
} from './supervise/types.js';
export {
  NurseryError,
  NurseryOptionError,
  MaxBufferError,
  isNurseryError,
  type NurseryErrorCode,
  type NurseryErrorDetails,
} from './errors.js';
