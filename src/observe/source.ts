// What src/observe/ reads of a Nursery. The Nursery hands it this object of closures, so observe/
// never imports the Nursery (docs/design.md, layers): every figure is read from the live state when
// asked (a scrape, a request), and nothing in observe/ runs on the spawn path.
import type { DaemonInfo } from '../daemon/types.js';
import type { RecentReap } from '../reaper/types.js';
import type { NurseryStats } from '../stats.js';
import type { ChildInfo } from '../types.js';
import type { ServiceInfo } from '../supervise/types.js';

export interface ObserveSource {
  /** The live children, as list() gives them. */
  list(): ChildInfo[];
  /** The supervised services, as services() gives them. */
  services(): ServiceInfo[];
  stats(): NurseryStats;
  /** Live daemons of the registry. */
  daemons(): DaemonInfo[];
  /** The reaper's last reaps (newest first), or null when no reaper runs for this nursery. */
  recentReaps(): readonly RecentReap[] | null;
  /** PIDs of our children that somebody waits for (libuv, node-pty), or null when no reaper runs. */
  tracked(): ReadonlySet<number> | null;
}
