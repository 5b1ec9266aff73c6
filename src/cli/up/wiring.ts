// The one seam between `nursery up` and the Nursery's supervision: a group whose services come
// from nursery.supervise(). Until the Service lands on this branch, a Nursery without supervise()
// gets a clear error instead of a build break. At the merge this becomes `nursery.group(specs)`.
import { NurseryError } from '../../errors.js';
import type { Nursery } from '../../nursery.js';
import { ServiceGroup } from '../../supervise/group.js';
import type { GroupMemberSpec, ServiceLike, ServiceSpec } from '../../supervise/types.js';

type Supervise = (spec: ServiceSpec) => ServiceLike;

/** True when this build's Nursery can supervise (the state machine of issue 14 is in). */
export function canSupervise(nursery: Nursery): boolean {
  return typeof (nursery as unknown as { supervise?: unknown }).supervise === 'function';
}

export function makeGroup(nursery: Nursery, specs: Record<string, GroupMemberSpec>): ServiceGroup {
  if (!canSupervise(nursery)) {
    throw new NurseryError('ERR_NURSERY_INVALID_OPTION', 'this build of nursery has no Nursery.supervise()');
  }
  const supervise = (nursery as unknown as { supervise: Supervise }).supervise.bind(nursery);
  return new ServiceGroup(specs, (name, spec) => supervise({ ...spec, name }));
}
