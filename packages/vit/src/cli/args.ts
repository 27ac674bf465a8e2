/**
 * A small `--flag value` / `--switch` parser with typed lookups and errors that name the flag; the same rules as
 * norga's declarative table (packages/norga/src/args.ts): `--name value` or `--name=value`, `-h` is `--help`,
 * any other single-dash word is refused, unknown flags are errors.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], switches: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a.length > 1 && a !== '-')
        throw new UsageError(`unknown flag '${a}': flags are spelled --name`);
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (switches.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (eq > 0) flags.set(name, a.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, v);
      i++;
    }
  }
  return { positional, flags };
}

export class Flags {
  readonly #used = new Set<string>();
  constructor(readonly parsed: ParsedArgs) {}

  string(name: string, fallback: string): string;
  string(name: string): string | undefined;
  string(name: string, fallback?: string): string | undefined {
    this.#used.add(name);
    const v = this.parsed.flags.get(name);
    if (v === true) throw new UsageError(`--${name} needs a value`);
    return v ?? fallback;
  }

  number(
    name: string,
    fallback: number,
    check: (n: number) => boolean = Number.isFinite,
    what = 'a number',
  ): number {
    const s = this.string(name);
    if (s === undefined) return fallback;
    const n = Number(s);
    if (s.trim() === '' || !check(n)) throw new UsageError(`--${name} must be ${what}, got '${s}'`);
    return n;
  }

  int(name: string, fallback: number, min = 0): number {
    return this.number(name, fallback, (n) => Number.isInteger(n) && n >= min, `an integer >= ${min}`);
  }

  bool(name: string): boolean {
    this.#used.add(name);
    return this.parsed.flags.get(name) === true;
  }

  /** Rejects flags nobody asked for (typos should not be silently ignored). */
  assertAllUsed(): void {
    const unknown = [...this.parsed.flags.keys()].filter((k) => !this.#used.has(k));
    if (unknown.length > 0)
      throw new UsageError(
        `unknown flag${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `--${k}`).join(', ')}`,
      );
  }
}
