import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonIfExists, readStateIfExists, writeJsonAtomic, writeStateAtomic } from '../src/atomic.js';
import { configDiff, RunDir, RunDirError } from '../src/rundir.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'norga-rundir-'));

describe('atomic JSON', () => {
  it('public JSON writes a cell not measured as null', () => {
    const dir = fresh();
    const p = join(dir, 'r.json');
    writeJsonAtomic(p, { acc: [[0.5, Number.NaN]], inf: Number.POSITIVE_INFINITY });
    expect(JSON.parse(readFileSync(p, 'utf8'))).toEqual({ acc: [[0.5, null]], inf: null });
  });

  it('state files round-trip NaN and leave no temporary files', () => {
    const dir = fresh();
    const p = join(dir, 'a', 'x.json');
    writeStateAtomic(p, { acc: [[0.5, Number.NaN]], inf: Number.POSITIVE_INFINITY });
    const back = readStateIfExists<{ acc: number[][]; inf: number }>(p);
    expect(back?.acc[0]?.[0]).toBe(0.5);
    expect(Number.isNaN(back?.acc[0]?.[1])).toBe(true);
    expect(back?.inf).toBe(Number.POSITIVE_INFINITY);
    expect(readdirSync(join(dir, 'a'))).toEqual(['x.json']);
    expect(readJsonIfExists(join(dir, 'missing.json'))).toBeUndefined();
  });

  it('a corrupt file is an error naming it', () => {
    const dir = fresh();
    const p = join(dir, 'bad.json');
    writeFileSync(p, '{"a":');
    expect(() => readJsonIfExists(p)).toThrow(
      new RegExp(`${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid JSON`),
    );
  });
});

describe('configDiff', () => {
  it('names nested paths that differ', () => {
    expect(
      configDiff({ a: 1, b: { c: [1, 2], d: 'x' } }, { a: 1, b: { c: [1, 3], d: 'x' }, e: true }),
    ).toEqual(['b.c.1', 'e']);
    expect(configDiff({ a: [1] }, { a: [1] })).toEqual([]);
  });
});

describe('RunDir', () => {
  const cfg = { benchmark: 'split-mnist', epochs: 2, methods: ['prefix-tuning', 'norga-tanh'] };

  it('creates config.json, refuses to start over without --resume, resumes with the same config', () => {
    const dir = join(fresh(), 'run');
    const rd = RunDir.open(dir, cfg, false);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(cfg);
    rd.saveCheckpoint('norga-tanh', 1, { tasksDone: 2 });
    expect(() => RunDir.open(dir, cfg, false)).toThrow(/already holds a run .*pass --resume/);
    const again = RunDir.open(dir, { ...cfg }, true);
    expect(again.loadCheckpoint<{ tasksDone: number }>('norga-tanh', 1)).toEqual({ tasksDone: 2 });
    expect(again.loadResult('norga-tanh', 1)).toBeUndefined();
  });

  it('--resume with a different config names every differing key and writes nothing', () => {
    const dir = join(fresh(), 'run');
    RunDir.open(dir, cfg, false);
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    let err: unknown;
    try {
      RunDir.open(dir, { ...cfg, epochs: 3, methods: ['prefix-tuning'] }, true);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunDirError);
    const msg = (err as Error).message;
    expect(msg).toContain('epochs: run has 2, now 3');
    expect(msg).toContain('methods.1: run has "norga-tanh", now (absent)');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
  });

  it('--resume without a run, and a foreign non-empty directory, are refused', () => {
    const root = fresh();
    expect(() => RunDir.open(join(root, 'nope'), cfg, true)).toThrow(/no run to resume/);
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'notes.txt'), 'mine');
    expect(() => RunDir.open(join(root, 'other'), cfg, false)).toThrow(/not a run directory/);
    expect(readFileSync(join(root, 'other', 'notes.txt'), 'utf8')).toBe('mine');
  });
});
