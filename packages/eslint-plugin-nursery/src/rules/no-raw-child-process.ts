// The rule no-raw-child-process: a fix that relies on everyone remembering it decays, so the tool
// remembers. Every way of reaching node:child_process is reported, outside the files
// the `allow` option names, with the nursery call that replaces it; and so is process.kill() on
// a computed PID, which signals without an identity check.
import path from 'node:path';
import { ASTUtils, AST_NODE_TYPES, ESLintUtils, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import { minimatch } from 'minimatch';
import {
  CHILD_PROCESS_MODULES,
  MESSAGES,
  type MessageId,
  isSyncMember,
  memberName,
  messageFor,
  moduleExportName,
  propertyName,
  staticString,
} from './child-process-api.js';
import { isUncheckedProcessKill } from './process-kill.js';

export type { MessageId } from './child-process-api.js';

export interface RuleOptions {
  /** Globs (minimatch) of files, relative to ESLint's cwd, that may use child_process: the module that wraps it. */
  allow?: string[];
  /** Allow spawnSync, execSync and execFileSync, which wait for their child. Default false. */
  allowSync?: boolean;
  /** Also report process.kill() whose PID is not a numeric literal. Default true. */
  checkProcessKill?: boolean;
}

export type Options = [RuleOptions];

// The docs are the package's README, which npm always ships; no hosted copy is assumed.
const DOCS = 'node_modules/eslint-plugin-nursery/README.md';

const createRule = ESLintUtils.RuleCreator((name) => `${DOCS}#${name}`);

type Context = Readonly<TSESLint.RuleContext<MessageId, Options>>;
type Variable = TSESLint.Scope.Variable;

// Paths are compared with forward slashes, relative to the directory ESLint runs from, so the
// same config works from any checkout and on Windows.
function isAllowed(context: Context, globs: readonly string[]): boolean {
  if (globs.length === 0) return false;
  const absolute = context.filename;
  const relative = path.relative(context.cwd, absolute).split(path.sep).join('/');
  return globs.some((glob) => minimatch(path.isAbsolute(glob) ? absolute : relative, glob, { dot: true }));
}

// Each way of reaching the module ends in one of two shapes: a single member (a named import, a
// destructured property, `require(...).spawn`), or the whole module held in a binding. This
// class checks both shapes wherever they come from.
class Checker {
  constructor(
    private readonly context: Context,
    private readonly allowSync: boolean,
  ) {}

  report(node: TSESTree.Node, messageId: MessageId, module: string, name = ''): void {
    this.context.report({ node, messageId, data: { module, name } });
  }

  /** One member: report where it is taken, and every call through the local it is bound to. */
  member(name: string, node: TSESTree.Node, module: string, local: Variable | null): void {
    if (this.allowSync && isSyncMember(name)) return;
    const messageId = messageFor(name);
    this.report(node, messageId, module, name);
    for (const ref of local?.references ?? []) {
      const id = ref.identifier;
      if (ref.isWrite() || ref.isTypeReference === true) continue;
      if (id.parent.type === AST_NODE_TYPES.CallExpression && id.parent.callee === id)
        this.report(id, messageId, module, name);
    }
  }

  /**
   * The whole module in a binding. Each member read through it is reported; the binding itself is
   * reported unless allowSync is on and every use of it reads a sync function.
   */
  binding(local: Variable | null, node: TSESTree.Node, module: string): void {
    let syncOnly = local !== null;
    let uses = 0;
    for (const ref of local?.references ?? []) {
      const id = ref.identifier;
      if (ref.isWrite() || ref.isTypeReference === true) continue;
      uses++;
      syncOnly = this.use(id, module) && syncOnly;
    }
    if (!(this.allowSync && syncOnly && uses > 0)) this.report(node, 'noImport', module);
  }

  /** One read of a module binding (or the module expression itself); true when it reads only sync members. */
  use(expr: TSESTree.Node, module: string): boolean {
    const parent = expr.parent;
    if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === expr) {
      const name = memberName(parent);
      if (name === null) return false;
      this.member(name, parent, module, null);
      return isSyncMember(name);
    }
    if (
      parent?.type === AST_NODE_TYPES.VariableDeclarator &&
      parent.init === expr &&
      parent.id.type === AST_NODE_TYPES.ObjectPattern
    ) {
      return this.pattern(parent.id, module);
    }
    return false;
  }

  /** `const { spawn, execSync: run } = <module>`: each property is a member; true when all are sync. */
  pattern(pattern: TSESTree.ObjectPattern, module: string): boolean {
    let syncOnly = true;
    for (const prop of pattern.properties) {
      const name = prop.type === AST_NODE_TYPES.Property ? propertyName(prop) : null;
      if (prop.type === AST_NODE_TYPES.RestElement || name === null) {
        this.report(prop, 'noImport', module);
        syncOnly = false;
        continue;
      }
      const value = prop.value.type === AST_NODE_TYPES.AssignmentPattern ? prop.value.left : prop.value;
      const local = value.type === AST_NODE_TYPES.Identifier ? this.declared(value) : null;
      if (name === 'default') {
        this.binding(local, prop, module);
        syncOnly = false;
        continue;
      }
      this.member(name, prop, module, local);
      syncOnly = syncOnly && isSyncMember(name);
    }
    return syncOnly;
  }

  /**
   * `require(m)` or `await import(m)`: held in a binding, destructured, read once
   * (`require(m).spawn`), or anything else (reported as a whole).
   */
  moduleExpression(expr: TSESTree.Expression, module: string): void {
    const parent = expr.parent;
    if (
      parent?.type === AST_NODE_TYPES.VariableDeclarator &&
      parent.init === expr &&
      parent.id.type === AST_NODE_TYPES.Identifier
    ) {
      this.binding(this.declared(parent.id), expr, module);
      return;
    }
    const readsMember =
      (parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === expr && memberName(parent) !== null) ||
      (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.ObjectPattern);
    if (readsMember) this.use(expr, module);
    else this.report(expr, 'noImport', module);
  }

  // Searched from the declaring identifier's own scope outwards, so a `var` inside a block is
  // found in its function's scope.
  declared(id: TSESTree.Identifier): Variable | null {
    return ASTUtils.findVariable(this.context.sourceCode.getScope(id), id);
  }
}

function importDeclaration(checker: Checker, context: Context, node: TSESTree.ImportDeclaration): void {
  const module = node.source.value;
  if (!CHILD_PROCESS_MODULES.has(module) || node.importKind === 'type') return;
  if (node.specifiers.length === 0) {
    checker.report(node.source, 'noImport', module);
    return;
  }
  for (const spec of node.specifiers) {
    const local = context.sourceCode.getDeclaredVariables(spec)[0] ?? null;
    if (spec.type !== AST_NODE_TYPES.ImportSpecifier) checker.binding(local, spec, module);
    else if (spec.importKind === 'type') continue;
    else if (moduleExportName(spec.imported) === 'default') checker.binding(local, spec, module);
    else checker.member(moduleExportName(spec.imported), spec, module, local);
  }
}

export const noRawChildProcess = createRule<Options, MessageId>({
  name: 'no-raw-child-process',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Forbid child_process outside the module that wraps it, and process.kill() on a PID whose identity was ' +
        'not checked',
    },
    messages: MESSAGES,
    schema: [
      {
        type: 'object',
        properties: {
          allow: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          allowSync: { type: 'boolean' },
          checkProcessKill: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
  defaultOptions: [{ allow: [], allowSync: false, checkProcessKill: true }],
  create(context, [options]) {
    if (isAllowed(context, options.allow ?? [])) return {};
    const checker = new Checker(context, options.allowSync === true);
    const checkKill = options.checkProcessKill !== false;
    return {
      ImportDeclaration: (node) => importDeclaration(checker, context, node),
      ExportNamedDeclaration(node) {
        const module = node.source?.value;
        if (module === undefined || !CHILD_PROCESS_MODULES.has(module) || node.exportKind === 'type') return;
        for (const spec of node.specifiers) {
          const name = moduleExportName(spec.local);
          if (spec.exportKind === 'type') continue;
          if (name === 'default') checker.report(spec, 'noImport', module);
          else checker.member(name, spec, module, null);
        }
      },
      ExportAllDeclaration(node) {
        if (CHILD_PROCESS_MODULES.has(node.source.value) && node.exportKind !== 'type')
          checker.report(node.source, 'noImport', node.source.value);
      },
      TSImportEqualsDeclaration(node) {
        const ref = node.moduleReference;
        if (ref.type !== AST_NODE_TYPES.TSExternalModuleReference || node.importKind === 'type') return;
        const module = staticString(ref.expression);
        if (module !== null && CHILD_PROCESS_MODULES.has(module))
          checker.binding(checker.declared(node.id), node, module);
      },
      CallExpression(node) {
        if (checkKill && isUncheckedProcessKill(context, node)) context.report({ node, messageId: 'noProcessKill' });
        // Any callee named require, so createRequire(import.meta.url) bound to `require` counts too.
        if (node.callee.type !== AST_NODE_TYPES.Identifier || node.callee.name !== 'require') return;
        const module = staticString(node.arguments[0]);
        if (module !== null && CHILD_PROCESS_MODULES.has(module)) checker.moduleExpression(node, module);
      },
      ImportExpression(node) {
        const module = staticString(node.source);
        if (module === null || !CHILD_PROCESS_MODULES.has(module)) return;
        // Un-awaited, it is a promise: `.then` is not a member of the module.
        if (node.parent.type === AST_NODE_TYPES.AwaitExpression) checker.moduleExpression(node.parent, module);
        else checker.report(node, 'noImport', module);
      },
    };
  },
});
