/**
 * The one command-line parser of the project's commands (norga, norga-vit, norga-data): flags from a declarative
 * table, `--name value` or `--name=value`, typed, range-checked, with a help text generated from the same table.
 * Built on Node's `util.parseArgs` (its tokens; the checks and messages are ours). `-h` is `--help` wherever the
 * table has a `help` flag; any other single-dash word is refused. Unknown flags and bad values throw a UsageError
 * that names the flag, what it accepts and, for a misspelling, the closest known flag; a command prints it as one
 * line and exits with EXIT.usage (2).
 */
import { parseArgs } from 'node:util';

/** A bad flag, value or argument: the command prints the message as one line and exits with EXIT.usage (2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bounds of a numeric flag: `min`/`max` inclusive, `above`/`below` exclusive. */
export interface FlagBounds {
  /** The smallest accepted value. */
  min?: number;
  /** The largest accepted value. */
  max?: number;
  /** Values must be larger than this. */
  above?: number;
  /** Values must be smaller than this. */
  below?: number;
}

/** One flag: its kind, default, bounds or choices, and its help line. */
export type FlagSpec =
  | ({ kind: 'int'; default: number; help: string } & FlagBounds)
  | ({ kind: 'float'; default: number; help: string } & FlagBounds)
  | { kind: 'string'; default: string; help: string }
  | { kind: 'enum'; default: string; choices: readonly string[]; help: string }
  | { kind: 'list'; default: readonly string[]; choices?: readonly string[]; help: string }
  | { kind: 'intList'; default: readonly number[]; min?: number; help: string }
  | { kind: 'bool'; default: boolean; help: string };

/** A command's flags by name (without the leading dashes). A `help` bool flag also answers to `-h`. */
export type FlagTable = Record<string, FlagSpec>;

/** The value type a flag parses to. */
export type ValueOf<S extends FlagSpec> = S extends { kind: 'int' | 'float' }
  ? number
  : S extends { kind: 'string' | 'enum' }
    ? string
    : S extends { kind: 'list' }
      ? string[]
      : S extends { kind: 'intList' }
        ? number[]
        : boolean;

/** Every flag of a table with its parsed value. */
export type Parsed<T extends FlagTable> = { [K in keyof T]: ValueOf<T[K]> };

/** What parseFlags returns. */
export interface ParseResult<T extends FlagTable> {
  /** Every flag's value (its default when not given). */
  values: Parsed<T>;
  /** Flags the user gave explicitly (so defaults can be told from choices). */
  given: Set<string>;
  /** The arguments that are not flags, in order. */
  positionals: string[];
}

/**
 * Parses `argv` (`--name value`, `--name=value`, `--bool`, `--no-bool`, `-h` for a table with `help`) against
 * `table`. Throws a UsageError naming the flag for an unknown flag, one given twice, a missing or malformed
 * value, one outside its bounds or choices.
 */
export function parseFlags<T extends FlagTable>(argv: readonly string[], table: T): ParseResult<T> {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table))
    values[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, spec] of Object.entries(table))
    options[name] = { type: spec.kind === 'bool' ? 'boolean' : 'string' };
  if (table.help?.kind === 'bool') options.help = { type: 'boolean', short: 'h' };
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given = new Set<string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    const arg = argv[token.index] as string;
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator' || !token.rawName.startsWith('--')) {
      if (token.kind === 'option' && arg === '-h' && options.help?.short === 'h') {
        values.help = true;
        given.add('help');
        continue;
      }
      if (arg === '--') throw unknown('', table);
      throw new UsageError(`unknown flag '${arg}': flags are spelled --name`);
    }
    let name = token.name;
    let inline = token.inlineValue ? token.value : undefined;
    let spec = Object.hasOwn(table, name) ? table[name] : undefined;
    if (!spec && name.startsWith('no-') && table[name.slice(3)]?.kind === 'bool' && inline === undefined) {
      name = name.slice(3);
      spec = table[name];
      inline = 'false';
    }
    if (!spec) throw unknown(name, table);
    if (given.has(name)) throw new UsageError(`flag --${name} given twice`);
    given.add(name);
    if (spec.kind === 'bool') {
      if (inline === undefined) values[name] = true;
      else if (inline === 'true' || inline === 'false') values[name] = inline === 'true';
      else throw new UsageError(`--${name} takes no value or =true/=false, got '${inline}'`);
      continue;
    }
    // parseArgs takes the next word as the value whatever it is: a flag there means this one has none.
    const raw = token.value;
    if (raw === undefined || (!token.inlineValue && raw.startsWith('--')))
      throw new UsageError(`--${name} needs a value (${describe(spec)})`);
    values[name] = convert(name, spec, raw);
  }
  return { values: values as Parsed<T>, given, positionals };
}

function unknown(name: string, table: FlagTable): UsageError {
  const near = closest(name, Object.keys(table));
  return new UsageError(`unknown flag '--${name}'${near ? ` (did you mean --${near}?)` : ''}; see --help`);
}

function convert(name: string, spec: Exclude<FlagSpec, { kind: 'bool' }>, raw: string): unknown {
  const bad = (why: string) => new UsageError(`--${name} ${why}, got '${raw}'`);
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw bad(`must be a number`);
      if (spec.kind === 'int' && !Number.isInteger(v)) throw bad('must be an integer');
      // Beyond 2^53 consecutive integers collapse (seed 2^53 + 1 is seed 2^53): refuse rather than repeat work.
      if (spec.kind === 'int' && !Number.isSafeInteger(v))
        throw bad(`must be an integer of at most ${Number.MAX_SAFE_INTEGER}`);
      if (spec.min !== undefined && v < spec.min) throw bad(`must be ≥ ${spec.min}`);
      if (spec.max !== undefined && v > spec.max) throw bad(`must be ≤ ${spec.max}`);
      if (spec.above !== undefined && !(v > spec.above)) throw bad(`must be > ${spec.above}`);
      if (spec.below !== undefined && !(v < spec.below)) throw bad(`must be < ${spec.below}`);
      return v;
    }
    case 'string':
      if (raw === '') throw bad('must not be empty');
      return raw;
    case 'enum':
      if (!spec.choices.includes(raw)) throw bad(`must be one of ${spec.choices.join(', ')}`);
      return raw;
    case 'list': {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (items.length === 0) throw bad('needs at least one item');
      if (spec.choices) {
        for (const it of items) {
          if (!spec.choices.includes(it))
            throw new UsageError(`--${name}: unknown value '${it}' (choose from ${spec.choices.join(', ')})`);
        }
      }
      if (new Set(items).size !== items.length) throw bad('lists an item twice');
      return items;
    }
    case 'intList': {
      const items = raw.split(',').map((s) => s.trim());
      const nums = items.map(Number);
      if (items.some((s) => s === '') || nums.some((v) => !Number.isSafeInteger(v)))
        throw bad('must be comma-separated integers');
      if (spec.min !== undefined && nums.some((v) => v < (spec.min as number)))
        throw bad(`needs every item ≥ ${spec.min}`);
      return nums;
    }
  }
}

function describe(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'int':
      return 'an integer';
    case 'float':
      return 'a number';
    case 'enum':
      return spec.choices.join(' | ');
    case 'list':
      return spec.choices ? `comma-separated: ${spec.choices.join(',')}` : 'comma-separated';
    case 'intList':
      return 'comma-separated integers';
    default:
      return 'a value';
  }
}

/** Help text: one line per flag with its default (an empty string default is shown as `""`). */
export function flagHelp(table: FlagTable): string {
  const rows = Object.entries(table).map(([name, spec]) => {
    const left = spec.kind === 'bool' ? `--${name}` : `--${name} <${describe(spec)}>`;
    const def = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
    return `  ${left.padEnd(44)} ${spec.help}${spec.kind === 'bool' && !spec.default ? '' : ` (default: ${def === '' ? '""' : def})`}`;
  });
  return rows.join('\n');
}

/**
 * The one line a command prints for a UsageError: `<prog>: <message> (<help> lists the flags)`, where `help` is
 * the command line that prints the usage (e.g. `norga-vit pretrain --help`).
 */
export function usageLine(prog: string, message: string, help: string): string {
  return `${prog}: ${message} (${help} lists the flags)`;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}
