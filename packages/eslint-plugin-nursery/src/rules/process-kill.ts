// process.kill(pid) is kill(2) on a bare number. Once a process is reaped its PID can be handed to
// any new process, so a PID kept in a variable may name a stranger by the time it is signalled
// (docs/design.md, invariant 3: identity before signal). Only PIDs that cannot have been recycled pass.
import { ASTUtils, AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { PROCESS_MODULES, type MessageId, memberName, moduleExportName } from './child-process-api.js';

type Context = Readonly<TSESLint.RuleContext<MessageId, readonly unknown[]>>;

// The name is bound to Node's process object: an undeclared (or configured) global, or an import
// of node:process. A local variable that happens to be called `process` is someone else's.
function importsFromProcess(
  context: Context,
  id: TSESTree.Identifier,
  wanted: (spec: TSESTree.ImportClause) => boolean,
): boolean {
  const variable = ASTUtils.findVariable(context.sourceCode.getScope(id), id);
  if (variable === null || variable.defs.length === 0) return id.name === 'process';
  const def = variable.defs[0];
  if (def?.type !== 'ImportBinding' || def.node.type === AST_NODE_TYPES.TSImportEqualsDeclaration) return false;
  const decl = def.node.parent;
  return decl?.type === AST_NODE_TYPES.ImportDeclaration && PROCESS_MODULES.has(decl.source.value) && wanted(def.node);
}

function isProcessObject(context: Context, node: TSESTree.Node): node is TSESTree.Identifier {
  if (node.type !== AST_NODE_TYPES.Identifier) return false;
  return importsFromProcess(
    context,
    node,
    (spec) => spec.type !== AST_NODE_TYPES.ImportSpecifier || moduleExportName(spec.imported) === 'default',
  );
}

function isKillFunction(context: Context, callee: TSESTree.Node): boolean {
  if (callee.type === AST_NODE_TYPES.MemberExpression)
    return memberName(callee) === 'kill' && isProcessObject(context, callee.object);
  if (callee.type !== AST_NODE_TYPES.Identifier) return false;
  // `import { kill } from 'node:process'`: the same function under its own name.
  return importsFromProcess(
    context,
    callee,
    (spec) => spec.type === AST_NODE_TYPES.ImportSpecifier && moduleExportName(spec.imported) === 'kill',
  );
}

// A numeric literal is a PID someone chose on purpose: 0 (our own group) or a fixed one such as
// 1 (init), which cannot be recycled while the system runs. process.pid is ourselves. A negative
// number is reported even as a literal: -N is a whole group, and -1 every process we may signal.
function isFixedPid(context: Context, node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.Literal) return typeof node.value === 'number';
  return (
    node.type === AST_NODE_TYPES.MemberExpression && memberName(node) === 'pid' && isProcessObject(context, node.object)
  );
}

// Signal 0 delivers nothing: it only asks whether the PID exists.
function isProbe(node: TSESTree.Node | undefined): boolean {
  return node?.type === AST_NODE_TYPES.Literal && node.value === 0;
}

export function isUncheckedProcessKill(context: Context, call: TSESTree.CallExpression): boolean {
  const [pid, signal] = call.arguments;
  if (pid === undefined || !isKillFunction(context, call.callee)) return false;
  return !isFixedPid(context, pid) && !isProbe(signal);
}
