/**
 * The minimal logger interface connectors and the host log through (pino satisfies it).
 * @module
 */

/** A structured logger. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** DI token for {@link Logger}. */
export const Logger = Symbol.for('switchboard.Logger');

/** A logger that discards everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
