// The one seam between `nursery up` and the Nursery's supervision: the group comes from
// nursery.group(), so `up` runs exactly what a program using the library would.
import type { Nursery } from '../../nursery.js';
import type { ServiceGroup } from '../../supervise/group.js';
import type { GroupMemberSpec } from '../../supervise/types.js';

export function makeGroup(nursery: Nursery, specs: Record<string, GroupMemberSpec>): ServiceGroup {
  return nursery.group(specs);
}
