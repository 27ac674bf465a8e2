import { describe, expect, it } from 'vitest';
import { flagHelp, parseFlags, UsageError } from '../src/args.js';

const table = {
  epochs: { kind: 'int', default: 2, min: 1, help: 'epochs per task' },
  lr: { kind: 'float', default: 0.01, min: 0, help: 'learning rate' },
  gate: { kind: 'enum', default: 'tanh', choices: ['tanh', 'sigmoid', 'gelu'], help: 'score function' },
  methods: { kind: 'list', default: ['a'], choices: ['a', 'b', 'c'], help: 'methods' },
  layers: { kind: 'intList', default: [0, 1], min: 0, help: 'prompted layers' },
  out: { kind: 'string', default: 'runs/x', help: 'output directory' },
  resume: { kind: 'bool', default: false, help: 'continue' },
} as const;

describe('parseFlags', () => {
  it('defaults, both spellings, lists, booleans', () => {
    const r = parseFlags(
      ['--epochs', '3', '--lr=0.5', '--methods', 'b,c', '--layers=0,2,4', '--resume', 'pos'],
      table,
    );
    expect(r.values).toEqual({
      epochs: 3,
      lr: 0.5,
      gate: 'tanh',
      methods: ['b', 'c'],
      layers: [0, 2, 4],
      out: 'runs/x',
      resume: true,
    });
    expect([...r.given].sort()).toEqual(['epochs', 'layers', 'lr', 'methods', 'resume']);
    expect(r.positionals).toEqual(['pos']);
    expect(parseFlags(['--no-resume'], table).values.resume).toBe(false);
  });

  it('defaults are copies (mutating one parse does not change the next)', () => {
    const a = parseFlags([], table);
    a.values.layers.push(9);
    expect(parseFlags([], table).values.layers).toEqual([0, 1]);
  });

  it.each([
    [['--epoch', '3'], /unknown flag '--epoch' \(did you mean --epochs\?\)/],
    [['--zzzzzz'], /unknown flag '--zzzzzz'; see --help/],
    [['-e', '3'], /unknown flag '-e'/],
    [['--epochs', '0'], /--epochs must be ≥ 1, got '0'/],
    [['--epochs', '2.5'], /--epochs must be an integer/],
    [['--epochs', 'x'], /--epochs must be a number/],
    [['--epochs'], /--epochs needs a value/],
    [['--epochs', '--lr', '1'], /--epochs needs a value/],
    [['--gate', 'relu'], /--gate must be one of tanh, sigmoid, gelu, got 'relu'/],
    [['--methods', 'a,d'], /--methods: unknown value 'd' \(choose from a, b, c\)/],
    [['--methods', 'a,a'], /lists an item twice/],
    [['--layers', '0,x'], /comma-separated integers/],
    [['--resume=yes'], /--resume takes no value/],
    [['--lr', '1', '--lr', '2'], /given twice/],
  ])('%j is a clear UsageError', (argv, message) => {
    expect(() => parseFlags(argv, table)).toThrow(UsageError);
    expect(() => parseFlags(argv, table)).toThrow(message);
  });

  it('-h is --help where the table has a help flag, and an unknown single-dash word elsewhere', () => {
    const withHelp = { ...table, help: { kind: 'bool', default: false, help: 'this help' } } as const;
    expect(parseFlags(['-h'], withHelp).values.help).toBe(true);
    expect(parseFlags(['--help', 'x'], withHelp)).toMatchObject({
      values: { help: true },
      positionals: ['x'],
    });
    expect(() => parseFlags(['-h'], table)).toThrow(/unknown flag '-h': flags are spelled --name/);
    expect(() => parseFlags(['-hx'], withHelp)).toThrow(/unknown flag '-hx'/);
    expect(() => parseFlags(['--'], table)).toThrow(/unknown flag '--'/);
    expect(parseFlags(['-'], table).positionals).toEqual(['-']);
    expect(() => parseFlags(['--epochs', '-1'], table)).toThrow(/--epochs must be ≥ 1, got '-1'/);
    expect(() => parseFlags(['--constructor'], table)).toThrow(/unknown flag '--constructor'/);
  });

  it('exclusive bounds: above and below', () => {
    const t = {
      lr: { kind: 'float', default: 1, above: 0, help: 'rate' },
      smooth: { kind: 'float', default: 0, min: 0, below: 1, help: 'smoothing' },
    } as const;
    expect(parseFlags(['--lr', '1e-9', '--smooth=0.99'], t).values).toEqual({ lr: 1e-9, smooth: 0.99 });
    expect(() => parseFlags(['--lr', '0'], t)).toThrow(/--lr must be > 0, got '0'/);
    expect(() => parseFlags(['--smooth', '1'], t)).toThrow(/--smooth must be < 1, got '1'/);
  });

  it('help lists every flag with its default', () => {
    const h = flagHelp(table);
    for (const name of Object.keys(table)) expect(h).toContain(`--${name}`);
    expect(h).toContain('(default: tanh)');
    expect(h).toContain('(default: 0,1)');
  });
});
