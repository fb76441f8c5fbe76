/**
 * The SQL side of the SQLite driver, free of any binding: table layout, DDL, the translation of
 * filters and sorts into SQL, and the mapping between documents and rows.
 *
 * Layout of a collection `x`:
 * - table `sb_x` (`$` in the other names keeps them apart from any collection's): `id TEXT PRIMARY KEY`, `"$doc" TEXT NOT NULL` (the document, `encodeDoc`), and one
 *   column per declared field named after its path (`"address.userId"`). A column holds the field's
 *   value when it has the declared type (strings as TEXT, numbers as INTEGER/REAL, dates as INTEGER
 *   epoch ms, booleans as 0/1), NULL when missing or null, and otherwise (an array, an object, a value
 *   of another type) a *marker*: a BLOB of the value's encoding. SQLite orders every BLOB after every
 *   other value, so a marker is present (not NULL), equal to no filter value and, with the `< x''`
 *   guard on lower bounds, in no range.
 * - table `sb_x$elems` (`id`, `field`, `value`): one row per element of every array held by a
 *   declared field (null elements as NULL, elements of another type left out), deleted with the
 *   document (foreign key, ON DELETE CASCADE). A field becomes *irregular* the first time a document
 *   holds a marker there; the driver then creates a partial index `sb_x$elems$<field>` on the rows of
 *   that field. That index is how every connection (also in other processes) learns that the field's
 *   conditions must also look at elements: filters on a regular field are plain column comparisons
 *   that use the declared indexes.
 * - indexes `sb_x$i$<field,field>` (followed by `id`, the sorts' tie-break) and unique
 *   `sb_x$u$<field,field>` (partial: a document missing one of the fields is not indexed and never conflicts).
 *
 * The translation agrees with `matches()` of `documents.ts`: a condition on an array holds when it
 * holds for some element (`$ne`/`$nin`: when no element equals), strings compare by code point (SQLite's
 * BINARY collation compares UTF-8 bytes), values of another type are never equal or in range.
 * @module
 */
import type { FieldType, Filter, Operators, Scalar, Sort } from '../driver.js';
import { encodeDoc } from './documents.js';
import type { SqlValue } from './sqlite-binding.js';

/** The version of the layout this code writes (kept in `switchboard_meta`). */
export const SCHEMA_VERSION = 1;

/** The table holding the schema version and one record per collection. */
export const META_TABLE = 'switchboard_meta';

/** The column holding the encoded document. Field paths never begin with `$`, so no field collides. */
export const DOC_COLUMN = '"$doc"';

/** Quotes an identifier for SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for SQL. */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The names of a collection's tables. */
export interface TableNames {
  /** The documents' table name (unquoted). */
  table: string;
  /** The array elements' table name (unquoted). */
  elems: string;
}

/** The tables of a collection. */
export function tableNames(name: string): TableNames {
  return { table: `sb_${name}`, elems: `sb_${name}$elems` };
}

/** The name of the partial index over the elements of one irregular field. */
export function elemsIndexName(names: TableNames, field: string): string {
  return `${names.elems}$${field}`;
}

/** The name of a declared index. */
export function indexName(names: TableNames, fields: readonly string[], unique: boolean): string {
  return `${names.table}$${unique ? 'u' : 'i'}$${fields.join(',')}`;
}

/** The field whose elements an index of the elements table covers, or undefined for another index. */
export function irregularFieldOf(names: TableNames, index: string): string | undefined {
  const prefix = `${names.elems}$`;
  return index.startsWith(prefix) ? index.slice(prefix.length) : undefined;
}

// ---------------------------------------------------------------------------------------------
// DDL

/** Creates the meta table. */
export const CREATE_META = `CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)`;

/**
 * The statements creating a collection's tables (idempotent). Field columns are added one by one
 * by {@link addColumnSql}, so a new declared field of an existing table is handled the same way.
 */
export function createTablesSql(names: TableNames): string[] {
  const table = ident(names.table);
  const elems = ident(names.elems);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (id TEXT PRIMARY KEY NOT NULL, ${DOC_COLUMN} TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${elems} (id TEXT NOT NULL REFERENCES ${table}(id) ON DELETE CASCADE, field TEXT NOT NULL, value)`,
    `CREATE INDEX IF NOT EXISTS ${ident(`${names.elems}_by_id`)} ON ${elems}(id)`,
  ];
}

/**
 * Adds a field's column. Columns carry no declared type (no affinity), so each value keeps the
 * storage class the driver binds: a change of the declared type only needs a backfill.
 */
export function addColumnSql(names: TableNames, field: string): string {
  return `ALTER TABLE ${ident(names.table)} ADD COLUMN ${ident(field)}`;
}

/**
 * Creates a declared index (idempotent). A plain index ends with `id`, the tie-break of every sort, so
 * a sort on its fields (after equalities on its leading ones) reads the index in order and stops at
 * the limit, however many documents share a value (a lease from a large queue). A unique index is
 * partial over the documents having every field.
 */
export function createIndexSql(names: TableNames, fields: readonly string[], unique: boolean): string {
  const columns = fields.map(ident).join(', ');
  const name = ident(indexName(names, fields, unique));
  if (!unique) return `CREATE INDEX IF NOT EXISTS ${name} ON ${ident(names.table)}(${columns}${fields.includes('id') ? '' : ', id'})`;
  const where = fields.map((f) => `${ident(f)} IS NOT NULL`).join(' AND ');
  return `CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${ident(names.table)}(${columns}) WHERE ${where}`;
}

/** Creates the partial index over an irregular field's elements (which also marks the field irregular). */
export function createElemsIndexSql(names: TableNames, field: string): string {
  return `CREATE INDEX IF NOT EXISTS ${ident(elemsIndexName(names, field))} ON ${ident(names.elems)}(value, id) WHERE field = ${literal(field)}`;
}

// ---------------------------------------------------------------------------------------------
// Values

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    case 'date': return value instanceof Date;
  }
}

/** The SQL value of a scalar of a declared type (dates as epoch ms, booleans as 0/1). */
function scalarValue(value: string | number | boolean | Date): SqlValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value;
}

/** The SQL value a filter compares with. */
export function paramValue(value: Scalar): SqlValue {
  return scalarValue(value);
}

/**
 * The column value of a declared field: the value when it has the declared type, NULL when missing
 * or null, otherwise a marker (a BLOB of its encoding; see the module notes).
 * @returns the value, and whether it is a marker
 */
export function columnValue(value: unknown, type: FieldType): SqlValue {
  if (value === undefined || value === null) return null;
  if (hasType(value, type)) return scalarValue(value as string | number | boolean | Date);
  return Buffer.from(encodeDoc(value));
}

/** Whether a column value is a marker (the field then holds an array, an object or a value of another type). */
export function isMarker(value: SqlValue): value is Buffer {
  return Buffer.isBuffer(value);
}

/**
 * The element rows of a value held by a declared field: for an array, each element of the declared
 * type and each null; nothing otherwise.
 */
export function elementValues(value: unknown, type: FieldType): SqlValue[] {
  if (!Array.isArray(value)) return [];
  const out: SqlValue[] = [];
  for (const item of value as unknown[]) {
    if (item === undefined || item === null) out.push(null);
    else if (hasType(item, type)) out.push(scalarValue(item as string | number | boolean | Date));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Filters and sorts

/** What the translation needs to know about a collection. */
export interface QueryContext {
  readonly names: TableNames;
  /** Fields some document holds a marker in (their conditions also look at elements). */
  readonly irregular: ReadonlySet<string>;
}

/** SQL text with its parameters. */
export interface Compiled {
  sql: string;
  params: SqlValue[];
}

const hasOwn = Object.prototype.hasOwnProperty;

function isOperators(value: unknown): value is Operators {
  return typeof value === 'object' && value !== null && !(value instanceof Date) && !Array.isArray(value);
}

/** Builds the SQL of one filter; `params` collects the bound values in order. */
class FilterCompiler {
  readonly params: SqlValue[] = [];
  constructor(private readonly ctx: QueryContext) {}

  filter(filter: Filter): string {
    const parts: string[] = [];
    for (const key in filter) {
      if (!hasOwn.call(filter, key)) continue;
      const cond = filter[key];
      if (cond === undefined) continue;
      if (key === '$or') {
        const alternatives = (cond as readonly Filter[]).map((f) => this.filter(f));
        parts.push(alternatives.length === 0 ? '0' : `(${alternatives.join(' OR ')})`);
      } else if (key === '$and') {
        parts.push(...(cond as readonly Filter[]).map((f) => this.filter(f)));
      } else if (isOperators(cond)) {
        for (const op in cond) {
          const arg = (cond as Record<string, unknown>)[op];
          if (arg !== undefined) parts.push(this.condition(key, op, arg));
        }
      } else {
        parts.push(this.condition(key, '$eq', cond));
      }
    }
    return parts.length === 0 ? '1' : parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  }

  private bind(value: Scalar): string {
    this.params.push(paramValue(value));
    return '?';
  }

  private list(values: readonly Scalar[]): string {
    return values.map((v) => this.bind(v)).join(', ');
  }

  /** `id IN (ids of documents with an element of field satisfying test)`, or its negation. */
  private elements(field: string, test: string, negate = false): string {
    const { names } = this.ctx;
    return `${ident(names.table)}.id ${negate ? 'NOT IN' : 'IN'} (SELECT id FROM ${ident(names.elems)} WHERE field = ${literal(field)} AND ${test})`;
  }

  private condition(field: string, op: string, arg: unknown): string {
    const col = field === 'id' ? 'id' : ident(field);
    const irregular = field !== 'id' && this.ctx.irregular.has(field);
    switch (op) {
      case '$eq':
      case '$ne': {
        const negate = op === '$ne';
        if (arg === null) {
          const base = negate ? `${col} IS NOT NULL` : `${col} IS NULL`;
          if (!irregular) return base;
          return negate ? `(${base} AND ${this.elements(field, 'value IS NULL', true)})` : `(${base} OR ${this.elements(field, 'value IS NULL')})`;
        }
        const base = negate ? `${col} IS NOT ${this.bind(arg as Scalar)}` : `${col} = ${this.bind(arg as Scalar)}`;
        if (!irregular) return base;
        const test = `value = ${this.bind(arg as Scalar)}`;
        return negate ? `(${base} AND ${this.elements(field, test, true)})` : `(${base} OR ${this.elements(field, test)})`;
      }
      case '$in':
      case '$nin': {
        const values = arg as readonly Scalar[];
        const negate = op === '$nin';
        if (values.length === 0) return negate ? '1' : '0';
        const base = negate ? `(${col} IS NULL OR ${col} NOT IN (${this.list(values)}))` : `${col} IN (${this.list(values)})`;
        if (!irregular) return base;
        const test = `value IN (${this.list(values)})`;
        return negate ? `(${base} AND ${this.elements(field, test, true)})` : `(${base} OR ${this.elements(field, test)})`;
      }
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte': {
        const sqlOp = op === '$lt' ? '<' : op === '$lte' ? '<=' : op === '$gt' ? '>' : '>=';
        // Markers (BLOBs) sort after everything: an upper bound never admits them, a lower bound must exclude them.
        const guard = sqlOp.startsWith('>') ? ` AND ${col} < x''` : '';
        const base = `(${col} ${sqlOp} ${this.bind(arg as Scalar)}${guard})`;
        if (!irregular) return base;
        return `(${base} OR ${this.elements(field, `value ${sqlOp} ${this.bind(arg as Scalar)}`)})`;
      }
      case '$exists':
        return arg === true ? `${col} IS NOT NULL` : `${col} IS NULL`;
      default:
        throw new Error(`unknown operator "${op}"`);
    }
  }
}

/**
 * Translates a (validated) filter into a WHERE clause over a collection's table.
 * @param filter - the filter, checked with `assertFilter`
 * @param ctx - the collection's names and irregular fields
 * @returns the condition and its parameters
 */
export function compileFilter(filter: Filter, ctx: QueryContext): Compiled {
  const compiler = new FilterCompiler(ctx);
  const sql = compiler.filter(filter);
  return { sql, params: compiler.params };
}

/**
 * Whether SQL can order by a sort exactly: not when it names an irregular field (arrays sort by
 * their smallest or largest element, other markers by type), which the driver sorts in JavaScript.
 */
export function sortsInSql(sort: Sort | undefined, ctx: QueryContext): boolean {
  return sort === undefined || sort.every(([field]) => field === 'id' || !ctx.irregular.has(field));
}

/**
 * The ORDER BY clause of a sort: its fields, then `id` ascending. SQLite puts NULL (missing) first
 * ascending and last descending, as the contract does.
 */
export function compileSort(sort: Sort): string {
  const terms = sort.map(([field, direction]) => `${field === 'id' ? 'id' : ident(field)}${direction === -1 ? ' DESC' : ''}`);
  if (!sort.some(([field]) => field === 'id')) terms.push('id');
  return terms.join(', ');
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * The fields of the unique index a constraint message names (`UNIQUE constraint failed: sb_x.a, sb_x.b`).
 * @returns the fields, or undefined when the message is not a unique constraint failure of this table
 */
export function uniqueFields(message: string, names: TableNames): string[] | undefined {
  const match = /UNIQUE constraint failed: (.*)$/.exec(message);
  if (match === null) return undefined;
  const prefix = `${names.table}.`;
  return match[1]!.split(', ').map((column) => (column.startsWith(prefix) ? column.slice(prefix.length) : column));
}

// ---------------------------------------------------------------------------------------------
// Full-text search (FTS5)
//
// A collection with `text` paths has two more tables: `sb_x$fts`, an FTS5 table with one column per
// text path (`t0`, `t1`, …), and `sb_x$ftsids` (`n INTEGER PRIMARY KEY`, `doc_id`), which gives each
// document a row number that VACUUM keeps (the documents' own rowids may change). Triggers on
// `sb_x` keep both in step inside the very statement that writes the document, so the index
// commits or rolls back with it, whatever the write (insert, update, delete, clear). The FTS5
// table runs with `secure-delete`: a deleted document's words leave the index at once instead of
// lingering in older segments until a merge (erasure).

/** The names of a collection's full-text tables and triggers. */
export interface TextNames {
  /** The FTS5 table. */
  fts: string;
  /** The row numbers of the documents in the FTS5 table. */
  ids: string;
  /** Trigger names: after insert, delete, update. */
  triggers: readonly [string, string, string];
}

/** The full-text tables of a collection. */
export function textNames(names: TableNames): TextNames {
  return { fts: `${names.table}$fts`, ids: `${names.table}$ftsids`, triggers: [`${names.table}$fts$ai`, `${names.table}$fts$ad`, `${names.table}$fts$au`] };
}

/** A JSON path for SQLite's JSON functions (each key quoted). */
function jsonPath(path: string): string {
  return `$${path.split('.').map((key) => `."${key.replaceAll('"', '""').replaceAll('\\', '\\\\')}"`).join('')}`;
}

/** SQL of the string at a text path of a row's document (`row` is `new` or `old`), '' when it holds no string. */
function textExpr(row: string, path: string): string {
  const p = literal(jsonPath(path));
  return `(CASE WHEN json_type(${row}.${DOC_COLUMN}, ${p}) = 'text' THEN json_extract(${row}.${DOC_COLUMN}, ${p}) ELSE '' END)`;
}

/**
 * The statements dropping a collection's full-text tables and triggers (idempotent): before they
 * are made again for other text paths.
 */
export function dropTextSql(names: TableNames): string[] {
  const t = textNames(names);
  return [...t.triggers.map((name) => `DROP TRIGGER IF EXISTS ${ident(name)}`), `DROP TABLE IF EXISTS ${ident(t.fts)}`, `DROP TABLE IF EXISTS ${ident(t.ids)}`];
}

/**
 * The statements creating a collection's full-text tables and triggers and filling them from the
 * stored documents (run once, in the transaction that creates or migrates the collection).
 * @param names - the collection's tables
 * @param paths - the spec's text paths
 */
export function createTextSql(names: TableNames, paths: readonly string[]): string[] {
  const t = textNames(names);
  const table = ident(names.table);
  const fts = ident(t.fts);
  const ids = ident(t.ids);
  const columns = paths.map((_, i) => `t${i}`);
  const row = (of: string): string => `(SELECT n FROM ${ids} WHERE doc_id = ${of}.id)`;
  const values = (of: string): string => paths.map((p) => textExpr(of, p)).join(', ');
  const changed = paths.map((p) => `${textExpr('old', p)} IS NOT ${textExpr('new', p)}`).join(' OR ');
  return [
    `CREATE TABLE ${ids} (n INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE)`,
    `CREATE VIRTUAL TABLE ${fts} USING fts5(${columns.join(', ')}, tokenize = 'unicode61 remove_diacritics 2')`,
    `INSERT INTO ${fts} (${fts}, rank) VALUES ('secure-delete', 1)`,
    `INSERT INTO ${ids} (doc_id) SELECT id FROM ${table} ORDER BY rowid`,
    `INSERT INTO ${fts} (rowid, ${columns.join(', ')}) SELECT k.n, ${paths.map((p) => textExpr('d', p)).join(', ')} FROM ${ids} k JOIN ${table} d ON d.id = k.doc_id`,
    `CREATE TRIGGER ${ident(t.triggers[0])} AFTER INSERT ON ${table} BEGIN
      INSERT INTO ${ids} (doc_id) VALUES (new.id);
      INSERT INTO ${fts} (rowid, ${columns.join(', ')}) VALUES (${row('new')}, ${values('new')});
    END`,
    `CREATE TRIGGER ${ident(t.triggers[1])} AFTER DELETE ON ${table} BEGIN
      DELETE FROM ${fts} WHERE rowid = ${row('old')};
      DELETE FROM ${ids} WHERE doc_id = old.id;
    END`,
    `CREATE TRIGGER ${ident(t.triggers[2])} AFTER UPDATE OF ${DOC_COLUMN} ON ${table} WHEN ${changed} BEGIN
      UPDATE ${fts} SET ${columns.map((c, i) => `${c} = ${textExpr('new', paths[i]!)}`).join(', ')} WHERE rowid = ${row('new')};
    END`,
  ];
}

/**
 * The FTS5 query for a search's words: each a quoted string (so no word is read as an operator),
 * all required.
 * @param words - the folded words ({@link searchWords})
 */
export function ftsQuery(words: readonly string[]): string {
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
}

/**
 * The FROM clause that makes the full-text index drive a search: the ids of the matching documents
 * (a subquery with one bound parameter, the FTS5 query), CROSS JOINed (which fixes the loop order in
 * SQLite) to the collection's table, so the documents are read by primary key per hit instead of
 * the filter's index being scanned and every row probed against the hits. The subquery exposes one
 * column, `"$hit"`, so no field of the collection is ever ambiguous.
 * @returns the clause, and the condition joining the table to it
 */
export function textSourceSql(names: TableNames): { from: string; join: string } {
  const t = textNames(names);
  const fts = ident(t.fts);
  return {
    from: `(SELECT k.doc_id AS "$hit" FROM ${fts} JOIN ${ident(t.ids)} k ON k.n = ${fts}.rowid WHERE ${fts} MATCH ?) AS "$hits" CROSS JOIN ${ident(names.table)}`,
    join: `${ident(names.table)}.id = "$hits"."$hit"`,
  };
}
