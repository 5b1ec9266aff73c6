// One warning per cause for the life of the process: a missing kernel feature is said once, then
// the part that needs it quietly becomes a no-op (DESIGN invariant 5).
const said = new Set<string>();

export function warnOnce(code: string, message: string): void {
  if (said.has(code)) return;
  said.add(code);
  process.emitWarning(message, { type: 'NurseryWarning', code });
}
