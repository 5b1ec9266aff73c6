// What `nursery up` says of a bad file: the file, and where in it (a Procfile's line, or a JSON or
// YAML field path such as services.web.restart), so the fix is one look away. Nothing starts then.
import { NurseryError } from '../../errors.js';

export class ConfigError extends NurseryError {
  declare readonly code: 'ERR_NURSERY_BAD_CONFIG';
  readonly file: string;
  /** 1-based line, when known (a Procfile, or a JSON or YAML syntax error). */
  readonly line: number | null;
  /** The field path (services.web.restart), for JSON and YAML. */
  readonly field: string | null;

  constructor(file: string, where: { line?: number; field?: string }, problem: string, cause?: unknown) {
    const at = [where.line === undefined ? '' : `line ${where.line}`, where.field ?? ''].filter(Boolean).join(', ');
    super('ERR_NURSERY_BAD_CONFIG', `${file}${at ? `: ${at}` : ''}: ${problem}`, { cause, path: file });
    this.file = file;
    this.line = where.line ?? null;
    this.field = where.field ?? null;
  }
}
Object.defineProperty(ConfigError.prototype, 'name', { value: 'ConfigError' });
