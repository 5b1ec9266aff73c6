// errno values nursery branches on (Linux; the same on every architecture nursery runs on).
// Functions of src/os/ that wrap a syscall return -errno on failure, as the kernel does.
export const ENOENT = 2;
export const ESRCH = 3;
export const ECHILD = 10;
export const EPERM = 1;
export const ENOSYS = 38;
