/**
 * Every error class of the project's packages and the common system errors, through the top-level handler of each
 * CLI (norga, norga-vit, norga-data): exactly one line naming the file, flag or value, and the documented exit
 * status; a stack only with --verbose. Then the real bins (built by setup) for the wiring: -h/--help everywhere,
 * refusals, and Ctrl-C forwarded to the pretraining child.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GradError, StateDictError } from '@norga/autograd';
import {
  type CliError,
  DataFormatError,
  DataNotFoundError,
  DatasetError,
  describeCommonError,
  EXIT,
  LockError,
  reportCliError,
  signalExitStatus,
} from '@norga/datasets';
import { BackendError, ShapeError } from '@norga/tensor';
import { SafetensorsError } from '@norga/vit';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { CorruptFileError } from '../src/atomic.js';
import { BackboneError } from '../src/backbone-file.js';
import { describeNorgaError } from '../src/errors.js';
import { RunDirError } from '../src/rundir.js';

const sys = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

/** [what, error, exit status, the line must match]. */
const TABLE: [string, unknown, number, RegExp][] = [
  [
    'usage',
    new UsageError("--seeds must be ≥ 1, got '0'"),
    EXIT.usage,
    /--seeds must be ≥ 1, got '0' \(norga --help/,
  ],
  ['run directory', new RunDirError('/r already holds a run'), EXIT.failed, /\/r already holds a run/],
  ['backbone', new BackboneError('backbone checkpoint not found: /b.st'), EXIT.failed, /not found: \/b\.st/],
  [
    'corrupt config',
    new CorruptFileError('/r/config.json', 'not valid JSON (x)'),
    EXIT.failed,
    /\/r\/config\.json: not valid JSON/,
  ],
  [
    'checksum',
    new CorruptFileError('/r/m/seed-1/checkpoint.json', 'checksum mismatch'),
    EXIT.failed,
    /checkpoint\.json: checksum mismatch/,
  ],
  ['safetensors', new SafetensorsError('header of /b.st is truncated'), EXIT.failed, /header of \/b\.st/],
  [
    'data format',
    new DataFormatError('/d/train.bin', 3074, 'label 200 out of range'),
    EXIT.failed,
    /\/d\/train\.bin at byte offset 3074: label 200/,
  ],
  [
    'data not found',
    new DataNotFoundError('/d/cifar-100-binary', 'Unpack it.'),
    EXIT.failed,
    /not found: \/d\/cifar-100-binary/,
  ],
  ['data', new DatasetError('mnist train: class 3 has 5 samples'), EXIT.failed, /class 3 has 5 samples/],
  ['lock', new LockError('/r is in use by process 7'), EXIT.busy, /in use by process 7/],
  [
    'webgpu missing',
    new BackendError(
      'setBackend',
      "the npm package 'webgpu' is not installed: add it with `pnpm add webgpu`",
    ),
    EXIT.environment,
    /`npm install webgpu` .*--backend cpu works everywhere/,
  ],
  ['grad', new GradError('backward', 'no gradient'), EXIT.failed, /GradError: backward: no gradient/],
  ['shape', new ShapeError('reshape', 'cannot view [3] as [2,2]'), EXIT.failed, /ShapeError: reshape/],
  [
    'state dict',
    new StateDictError('loadStateDict', 'missing key head.weight'),
    EXIT.failed,
    /missing key head\.weight/,
  ],
  [
    'disk full',
    sys('ENOSPC', 'write', '/r/results.json'),
    EXIT.environment,
    /\/r\/results\.json: no space left on the device \(ENOSPC in write\)/,
  ],
  [
    'not a directory',
    sys('ENOTDIR', 'mkdir', '/etc/passwd/x'),
    EXIT.failed,
    /\/etc\/passwd\/x: a part of the path is a file/,
  ],
  ['permission', sys('EACCES', 'open', '/root/x'), EXIT.failed, /\/root\/x: permission denied/],
  [
    'cholesky',
    new RangeError('cholesky: matrix is not positive definite (pivot 3 = NaN)'),
    EXIT.failed,
    /class feature statistics .* not positive definite \(matrix is not positive definite \(pivot 3 = NaN\)\).*--ca-lr/,
  ],
  [
    'a bug',
    new TypeError("cannot read properties of undefined (reading 'x')"),
    EXIT.internal,
    /internal error: TypeError: .*run again with --verbose and report/,
  ],
];

function report(err: unknown, describe?: (e: unknown) => CliError | undefined, verbose = false) {
  const lines: string[] = [];
  const code = reportCliError('norga', err, (l) => lines.push(l), {
    verbose,
    ...(describe ? { describe } : {}),
  });
  return { code, text: lines.join('\n') };
}

describe('one line and the right exit status for every error class', () => {
  for (const [what, err, code, line] of TABLE) {
    it(what, () => {
      const r = report(err, describeNorgaError);
      expect(r.code).toBe(code);
      expect(r.text).toMatch(line);
      expect(r.text.split('\n')).toHaveLength(1);
      expect(r.text.startsWith('norga: ')).toBe(true);
    });
  }

  it('the errors below norga (what norga-vit and norga-data see) get the same status without norga', () => {
    for (const [, err, code] of TABLE) {
      if (
        err instanceof UsageError ||
        err instanceof RunDirError ||
        err instanceof BackboneError ||
        err instanceof CorruptFileError ||
        err instanceof SafetensorsError ||
        err instanceof RangeError
      )
        continue;
      expect(describeCommonError(err)?.code ?? EXIT.internal).toBe(code);
    }
  });

  it('a signal maps to its exit status: SIGINT 130, SIGTERM 143, anything else (SIGHUP, a parent gone) 129', () => {
    expect(['SIGINT', 'SIGTERM', 'SIGHUP', 'parent exited'].map(signalExitStatus)).toEqual([
      130, 143, 129, 129,
    ]);
  });

  it('--verbose adds the stack; without it there is none', () => {
    const err = new DatasetError('bad data');
    expect(report(err, describeNorgaError).text).not.toContain('at ');
    const v = report(err, describeNorgaError, true).text;
    expect(v.split('\n')[0]).toBe('norga: bad data');
    expect(v).toMatch(/\n\s+at /);
  });
});

// The real bins (built by scripts/setup.sh before the tests, as in CI).
const here = dirname(fileURLToPath(import.meta.url));
const bins = {
  norga: join(here, '..', 'dist', 'cli.js'),
  'norga-vit': join(here, '..', '..', 'vit', 'dist', 'cli.js'),
  'norga-data': join(here, '..', '..', 'datasets', 'dist', 'cli.js'),
};
const built = Object.values(bins).every((p) => existsSync(p));

function run(bin: keyof typeof bins, args: string[]) {
  const r = spawnSync(process.execPath, [bins[bin], ...args], { encoding: 'utf8', cwd: tmpdir() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!built)('the bins: -h/--help everywhere, one-line refusals', () => {
  it('-h and --help print the usage of the command asked about and exit 0', () => {
    for (const [bin, args, text] of [
      ['norga', ['--help'], /usage: norga <command>[\s\S]*Exit status/],
      ['norga', ['run', '-h'], /usage: norga run \[flags\]/],
      [
        'norga',
        ['pretrain', '--help'],
        /usage: norga pretrain \[--recipe NAME\][\s\S]*usage: norga-vit pretrain/,
      ],
      ['norga-vit', ['pretrain', '-h'], /usage: norga-vit pretrain/],
      ['norga-vit', ['eval', '--help'], /usage: norga-vit eval FILE/],
      ['norga-data', ['-h'], /usage: norga-data/],
    ] as const) {
      const r = run(bin, [...args]);
      expect(r.code, `${bin} ${args.join(' ')}: ${r.err}`).toBe(0);
      expect(r.out).toMatch(text);
    }
  });

  it('refusals are one line on stderr with the documented status', () => {
    const dir = mkdtempSync(join(tmpdir(), 'norga-bins-'));
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'not a checkpoint');
    for (const [bin, args, code, line] of [
      ['norga', ['run', '--seeds', '0'], 2, /^norga: --seeds must be ≥ 1, got '0'/],
      ['norga', ['run', '--seed', '9007199254740992'], 2, /--seed must be an integer of at most/],
      ['norga', ['pretrain', 'foo'], 2, /pretrain takes no positional arguments, got 'foo'/],
      ['norga', ['frobnicate'], 2, /unknown command 'frobnicate'/],
      [
        'norga-vit',
        ['pretrain', '--resume', '--out', join(dir, 'none'), '--limit-train', '64'],
        1,
        /--resume: .*none holds no checkpoint/,
      ],
      ['norga-vit', ['inspect', junk], 1, /junk\.safetensors/],
      [
        'norga-vit',
        ['inspect', join(dir, 'missing.st')],
        1,
        /missing\.st: no such file or directory \(ENOENT/,
      ],
      ['norga-data', ['--bogus'], 2, /unknown flag '--bogus'/],
    ] as const) {
      const r = run(bin, [...args]);
      expect(r.code, `${bin} ${args.join(' ')}: ${r.err}`).toBe(code);
      expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
      expect(r.err).toMatch(line);
    }
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});

describe.skipIf(!built)('the three CLIs share one parser', () => {
  // Each command as its users call it: -h and --help print its usage and exit 0; an unknown flag is refused with
  // the same one line, `<prog>: unknown flag '--bogus'; see --help (<prog> ... --help ...)`, and exit 2.
  const commands = [
    ['norga', ['run'], /^usage: norga run \[flags\]/],
    ['norga', ['theory'], /^usage: norga theory \[flags\]/],
    ['norga', ['data'], /^usage: norga-data /],
    ['norga', ['pretrain'], /^usage: norga pretrain [\s\S]*usage: norga-vit pretrain \[flags\]/],
    ['norga-vit', ['pretrain'], /^usage: norga-vit pretrain \[flags\]/],
    ['norga-vit', ['eval'], /^usage: norga-vit eval FILE/],
    ['norga-vit', ['inspect'], /^usage: norga-vit inspect FILE/],
    ['norga-data', [], /^usage: norga-data /],
  ] as const;

  it.each(commands)('%s %j answers -h and --help with its usage, exit 0', (bin, args, usage) => {
    for (const help of ['-h', '--help']) {
      const r = run(bin, [...args, help]);
      expect(r.code, `${bin} ${args.join(' ')} ${help}: ${r.err}`).toBe(0);
      expect(r.out).toMatch(usage);
      expect(r.err).toBe('');
    }
  });

  it.each(commands)('%s %j refuses an unknown flag in the common one-line form, exit 2', (bin, args) => {
    // `norga data` is norga-data's command; `norga pretrain` runs norga-vit's.
    const prog =
      args[0] === 'data' ? 'norga-data' : args[0] === 'pretrain' && bin === 'norga' ? 'norga-vit' : bin;
    const r = run(bin, [...args, '--bogus']);
    expect(r.code, r.err).toBe(2);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines, r.err).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${prog}: unknown flag '--bogus'(?: \\(did you mean --[\\w-]+\\?\\))?; see --help \\(${prog} [^)]*--help[^)]*\\)$`,
      ),
    );
    // The hint names the command's own help, never another command's (theory's errors once sent users to run's).
    if (args[0] !== 'run') expect(lines[0]).not.toContain('norga run --help');
    const dash = run(bin, [...args, '-x']);
    expect(dash.code, dash.err).toBe(2);
    expect(dash.err).toMatch(new RegExp(`^${prog}: unknown flag '-x': flags are spelled --name \\(`));
  });
});

/** Resolves when `path` exists (checked as the child writes; no clock involved in the assertion). */
async function appears(path: string, child: ChildProcess): Promise<void> {
  while (!existsSync(path)) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${path} appeared`);
    await new Promise((r) => setImmediate(r));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!built)('norga pretrain: signals reach the pretraining child', () => {
  it('SIGINT to norga stops the child, which says how to resume; exit 130; a second pretraining is refused meanwhile', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'norga-sig-')), 'pt');
    const args = ['pretrain', '--dataset', 'mnist', '--limit-train', '64', '--limit-test', '16'];
    const parent = spawn(process.execPath, [bins.norga, ...args, '--epochs', '1000', '--out', out], {
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    parent.stderr.on('data', (d) => {
      err += d;
    });
    await appears(join(out, '.lock'), parent);
    const childPid = JSON.parse(readFileSync(join(out, '.lock'), 'utf8')).pid as number;
    expect(childPid).not.toBe(parent.pid);
    // The lock: a second pretraining on the same --out is refused while the first runs.
    const second = run('norga', [...args, '--epochs', '1000', '--out', out, '--resume']);
    expect(second.code).toBe(EXIT.busy);
    expect(second.err).toMatch(new RegExp(`in use by process ${childPid}`));
    const code = await new Promise<number | null>((done) => {
      parent.on('exit', (c) => done(c));
      parent.kill('SIGINT');
    });
    expect(code).toBe(130);
    expect(alive(childPid)).toBe(false);
    expect(err).toMatch(
      /interrupted \(SIGINT\); the last checkpoint is in .*pt: continue with the same command and --resume/,
    );
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('SIGKILL to norga (which cannot forward it): the child stops by itself when the IPC channel closes', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'norga-orphan-')), 'pt');
    const args = ['pretrain', '--dataset', 'mnist', '--limit-train', '64', '--limit-test', '16'];
    const parent = spawn(process.execPath, [bins.norga, ...args, '--epochs', '1000', '--out', out], {
      cwd: tmpdir(),
      stdio: 'ignore',
    });
    await appears(join(out, '.lock'), parent);
    const childPid = JSON.parse(readFileSync(join(out, '.lock'), 'utf8')).pid as number;
    await new Promise((done) => {
      parent.on('exit', done);
      parent.kill('SIGKILL');
    });
    // The orphan notices at its next turn of the event loop (a zombie awaiting its reaper counts as stopped).
    const running = () => {
      if (!alive(childPid)) return false;
      try {
        return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${childPid}/stat`, 'utf8'));
      } catch {
        return process.platform !== 'linux';
      }
    };
    while (running()) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });
});
