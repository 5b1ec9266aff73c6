// What the rule knows of node:child_process and node:process: which module names it watches, and
// which nursery call replaces each function. Kept apart from the AST walking so the table reads
// on its own.
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';

export type MessageId =
  'noImport' | 'noMember' | 'useSpawn' | 'useRun' | 'useSpawnWithIpc' | 'useRunForSync' | 'noProcessKill';

export const CHILD_PROCESS_MODULES: ReadonlySet<string> = new Set(['child_process', 'node:child_process']);
export const PROCESS_MODULES: ReadonlySet<string> = new Set(['process', 'node:process']);

// A Map, not an object literal: a member named "constructor" or "toString" must not match.
const REPLACEMENTS: ReadonlyMap<string, MessageId> = new Map<string, MessageId>([
  ['spawn', 'useSpawn'],
  ['exec', 'useRun'],
  ['execFile', 'useRun'],
  ['fork', 'useSpawnWithIpc'],
  ['spawnSync', 'useRunForSync'],
  ['execSync', 'useRunForSync'],
  ['execFileSync', 'useRunForSync'],
]);

// These wait for their child before returning, so no zombie can come of them; a team may allow
// them with `allowSync`. Their timeout still signals the direct child only.
const SYNC_MEMBERS: ReadonlySet<string> = new Set(['spawnSync', 'execSync', 'execFileSync']);

export function messageFor(member: string): MessageId {
  return REPLACEMENTS.get(member) ?? 'noMember';
}

export function isSyncMember(member: string): boolean {
  return SYNC_MEMBERS.has(member);
}

export const MESSAGES: Record<MessageId, string> = {
  noImport:
    "'{{module}}' may only be used by the one module that wraps it: a raw child can be left unwaited (a zombie) " +
    'or outlive its owner (an orphan). Use nursery instead: nursery.spawn() for a long-lived child, ' +
    'nursery.run() for a command run to completion.',
  noMember:
    "'{{name}}' from '{{module}}' may only be used by the one module that wraps child_process. Hold a nursery " +
    'Handle instead.',
  useSpawn:
    "'{{name}}' from '{{module}}' hands out a raw ChildProcess. Use nursery.spawn({ command, args }): its " +
    'Handle is always reaped, and handle.stop() ends the whole process tree.',
  useRun:
    "'{{name}}' from '{{module}}' kills only the direct child on timeout and leaves its descendants running. " +
    'Use await nursery.run(command, args, { timeoutMs }), which stops the whole tree.',
  useSpawnWithIpc:
    "'{{name}}' from '{{module}}' hands out a raw ChildProcess. Use nursery.fork(modulePath, args) (or " +
    'nursery.spawn({ ..., ipc: true })): its Handle has send(), onMessage() and messages(), and handle.stop() ' +
    'ends the whole process tree.',
  useRunForSync:
    "'{{name}}' from '{{module}}' blocks the event loop, and its timeout signals only the direct child. Use " +
    "await nursery.run(command, args), or set the rule's allowSync option if blocking is acceptable here.",
  noProcessKill:
    'process.kill() on a PID that is not a fixed number signals whichever process (or group) holds that number ' +
    'now, possibly a stranger that reused it. Signal through a nursery Handle (handle.stop() or ' +
    'handle.signal()), which checks identity first.',
};

/** The value of a string literal or of a template literal without expressions, else null. */
export function staticString(node: TSESTree.Node | undefined | null): string | null {
  if (!node) return null;
  if (node.type === AST_NODE_TYPES.Literal) return typeof node.value === 'string' ? node.value : null;
  if (node.type === AST_NODE_TYPES.TemplateLiteral && node.expressions.length === 0)
    return node.quasis[0]?.value.cooked ?? null;
  return null;
}

/** The name a member expression reads (`a.b`, `a['b']`), or null when it is computed. */
export function memberName(node: TSESTree.MemberExpression): string | null {
  if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
  return node.computed ? staticString(node.property) : null;
}

/** The name a destructuring property reads (`{ a }`, `{ a: b }`, `{ 'a': b }`), or null. */
export function propertyName(node: TSESTree.Property): string | null {
  if (!node.computed && node.key.type === AST_NODE_TYPES.Identifier) return node.key.name;
  return staticString(node.key);
}

/** The name an import or export specifier names in the other module (`import { a as b }` → a). */
export function moduleExportName(node: TSESTree.Identifier | TSESTree.StringLiteral): string {
  return node.type === AST_NODE_TYPES.Identifier ? node.name : node.value;
}
