// The libc calls of src/os/ gathered in one object, for tests and fixtures that make zombies and
// subreapers by hand: null where koffi cannot load libc.
import { getChildSubreaper, setChildSubreaper } from '../../src/os/prctl.js';
import { pidfdOpen, pidfdSendSignal } from '../../src/os/pidfd.js';
import { canWait, hasExited, waitpidNoHang } from '../../src/os/wait.js';

const calls = { waitpidNoHang, hasExited, getChildSubreaper, setChildSubreaper, pidfdOpen, pidfdSendSignal };

export function native(): typeof calls | null {
  return canWait() ? calls : null;
}
