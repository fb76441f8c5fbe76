/**
 * The SQLite driver's exception converter: SQLite result codes (and the file-system errors met while
 * opening) become typed {@link StorageError}s naming the file; anything else passes through.
 * @module
 */
import { StorageError } from '../driver.js';
import type { StorageFailure } from '../driver.js';

/** What a failure means to the operator. */
const ADVICE: Record<Exclude<StorageFailure, 'version' | 'native'>, string> = {
  corrupt: 'the file is not a SQLite database or is damaged; restore it from a backup (switchboard backup) or move it away to start empty',
  busy: 'the database is locked by another program for longer than the busy timeout; stop the program holding it (an open sqlite3 shell, a backup tool) or raise busyTimeoutMs',
  readonly: 'the database file or its directory cannot be written (permissions, a read-only disk or a read-only connection)',
  full: 'the disk (or quota) holding the database is full; free space, nothing was written',
  unavailable: 'the database cannot be opened (missing directory, permissions or an I/O error)',
};

/**
 * The failure a SQLite result code or a file-system error code stands for.
 * @param code - e.g. `SQLITE_BUSY`, `SQLITE_READONLY_DBMOVED`, `EACCES`
 * @returns the failure, or undefined when the code is not a storage failure (constraints, misuse, …)
 */
export function failureOf(code: string): Exclude<StorageFailure, 'version' | 'native'> | undefined {
  const primary = code.startsWith('SQLITE_') ? code.replace(/^(SQLITE_[A-Z]+).*$/, '$1') : code;
  switch (primary) {
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return 'corrupt';
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'busy';
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'readonly';
    case 'SQLITE_FULL':
    case 'ENOSPC':
    case 'EDQUOT':
      return 'full';
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_NOLFS':
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
      return 'unavailable';
    default:
      return undefined;
  }
}

function codeOf(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Converts an error met on a database into a {@link StorageError} naming the file, when it is a
 * storage failure; returns any other error unchanged.
 * @param err - the error thrown by the binding or the file system
 * @param where - the database file (or `:memory:`)
 * @param fallback - the failure to report for an error without a known code (used while opening)
 */
export function toStorageError(err: unknown, where: string, fallback?: StorageFailure): unknown {
  if (err instanceof StorageError) return err;
  const code = codeOf(err);
  const failure = (code !== undefined ? failureOf(code) : undefined) ?? fallback;
  if (failure === undefined) return err;
  const detail = err instanceof Error ? err.message : String(err);
  const advice = failure in ADVICE ? ADVICE[failure as keyof typeof ADVICE] : '';
  return new StorageError(failure, where, `${detail}${code !== undefined ? ` (${code})` : ''}: ${advice}`, err);
}
