/**
 * What a resume finds in a run directory, and how a run stops: every state file (tii/seed-S.json, checkpoints,
 * finished results) is checksummed, and one whose checksum holds but whose content does not fit the run — a task
 * count out of range, a tensor of the wrong length, another seed's file — is one line naming the file and field
 * (exit 1). SIGTERM and SIGINT stop `norga run` within a step with the resume command (exit 143 / 130), and that
 * command finishes the run.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, reportCliError } from '@norga/datasets';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, writeStateAtomic } from '../src/atomic.js';
import { describeNorgaError } from '../src/errors.js';
import { runCommand } from '../src/run-command.js';
import { RunDirError } from '../src/rundir.js';
import { grayBackbone } from './helpers/gray-backbone.js';
import { bin, startRun as start } from './helpers/norga-run.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'norga-state-'));
const sink = Object.assign({ write: () => true }, { isTTY: false }) as unknown as NodeJS.WritableStream;
const io = () => ({ out: () => {}, err: sink });
const tiny = (backbone: string, out: string, epochs: number) => [
  '--backbone', backbone, '--out', out, '--seeds', '1', '--methods', 'prefix-tuning', '--tasks', '2',
  '--train-per-class', '4', '--test-per-class', '2', '--epochs', String(epochs), '--batch-size', '8',
  '--tii-epochs', '1', '--ca-epochs', '0', '--quiet',
]; // biome-ignore format: flag, value pairs

type Json = Record<string, any>;
const read = (path: string): Json => {
  const { checksum: _, ...body } = JSON.parse(readFileSync(path, 'utf8'));
  return body;
};

describe('norga run --resume: state files that do not fit', () => {
  it('a flipped bit, or content that contradicts the run behind a valid checksum, is one line naming the file and field', async () => {
    const root = fresh();
    const gray = join(root, 'gray.safetensors');
    await grayBackbone(gray);
    const out = join(root, 'run');
    const argv = tiny(gray, out, 1);
    expect(await runCommand(argv, io())).toBe(0);
    const tii = join(out, 'tii', 'seed-1.json');
    const ckpt = join(out, 'prefix-tuning', 'seed-1', 'checkpoint.json');
    const result = join(out, 'prefix-tuning', 'seed-1', 'result.json');
    expect(JSON.parse(readFileSync(tii, 'utf8')).checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    const originals = new Map([tii, ckpt, result].map((p) => [p, readFileSync(p, 'utf8')]));
    // Each case edits one file (re-sealed with a valid checksum unless it flips a bit); result.json is removed for
    // the checkpoint cases so the resume reads the checkpoint.
    const flipBit = (path: string) => {
      const text = originals.get(path) as string;
      const at = text.indexOf('"base64": "') + 14;
      writeFileSync(
        path,
        text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1),
      );
    };
    const edit = (path: string, change: (j: Json) => void) => () => {
      const j = read(path);
      change(j);
      writeStateAtomic(path, j);
    };
    const withoutResult = (f: () => void) => () => {
      rmSync(result);
      f();
    };
    const cases: [string, () => void, RegExp][] = [
      ['tii: flipped bit', () => flipBit(tii), /tii\/seed-1\.json: checksum mismatch/],
      ['tii: preds of a task cut short', edit(tii, (j) => { j.preds[1].base64 = j.preds[1].base64.slice(0, 8); }), /tii\/seed-1\.json: preds\[1\] must be 20 int32 class ids/],
      ['tii: a class that does not exist', edit(tii, (j) => { j.preds[0].base64 = Buffer.from(Int32Array.from({ length: 10 }, (_, i) => (i === 0 ? 99 : 0)).buffer).toString('base64'); }), /tii\/seed-1\.json: preds\[0\]\[0\] is 99, not a class in 0\.\.9/],
      ['tii: one task missing', edit(tii, (j) => { j.preds.pop(); }), /tii\/seed-1\.json: preds must hold one entry per task \(2\)/],
      ['checkpoint: flipped bit', withoutResult(() => flipBit(ckpt)), /checkpoint\.json: checksum mismatch/],
      ['checkpoint: tasksDone out of range', withoutResult(edit(ckpt, (j) => { j.tasksDone = 7; })), /checkpoint\.json: tasksDone is 7, not a task count in 1\.\.2/],
      ['checkpoint: a tensor of the wrong length', withoutResult(edit(ckpt, (j) => { const t = Object.values(j.learner.head)[0] as Json; t.base64 = t.base64.slice(0, 16); })), /checkpoint\.json: learner: a tensor of shape \[.*\] \(float32\) holds 12 bytes, not \d+/],
      ['checkpoint: another seed', withoutResult(edit(ckpt, (j) => { j.seed = 2; })), /checkpoint\.json: seed is 2, but the file is where seed 1's goes/],
      ['checkpoint: accuracy matrix of another size', withoutResult(edit(ckpt, (j) => { j.acc = [[0.5]]; })), /checkpoint\.json: acc must be 2 rows/],
      ['result: a metric missing', edit(result, (j) => { delete j.metrics.faa; }), /result\.json: metrics\.faa is absent, not a number/],
    ]; // biome-ignore format: one case per line
    for (const [what, breakIt, line] of cases) {
      for (const [p, text] of originals) writeFileSync(p, text);
      breakIt();
      const err = await runCommand([...argv, '--resume'], io()).catch((e: unknown) => e);
      expect(err, what).toBeInstanceOf(CorruptFileError);
      const lines: string[] = [];
      const code = reportCliError('norga', err, (l) => lines.push(l), {
        verbose: false,
        describe: describeNorgaError,
      });
      expect(code, what).toBe(EXIT.failed);
      expect(lines.join('\n').split('\n'), what).toHaveLength(1);
      expect(lines[0], what).toMatch(line);
      expect(lines[0], what).toMatch(/delete (it|the file) to recompute that part/);
    }
    // The command line contradicting config.json is named key by key.
    for (const [p, text] of originals) writeFileSync(p, text);
    await expect(runCommand([...tiny(gray, out, 2), '--resume'], io())).rejects.toThrow(RunDirError);
    await expect(runCommand([...tiny(gray, out, 2), '--resume'], io())).rejects.toThrow(
      /configuration differs .*\n {2}epochs: run has 1, now 2/,
    );
    // Intact again, the resume goes through (everything finished is found, nothing recomputed).
    rmSync(result);
    expect(await runCommand([...argv, '--resume'], io())).toBe(0);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });
});

/** Resolves once `test()` holds (checked as the child works; no clock in the assertion). */
async function until(test: () => boolean, child: ChildProcess, what: string): Promise<void> {
  while (!test()) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(!existsSync(bin))('norga run: SIGTERM and SIGINT', () => {
  it('SIGTERM after the first checkpoint exits 143 with the resume command; SIGINT during the resume exits 130; the resume then finishes', async () => {
    const root = fresh();
    const gray = join(root, 'gray.safetensors');
    await grayBackbone(gray);
    const out = join(root, 'run');
    // Many epochs of a few images: each task is hundreds of steps, so the signal lands mid-task. Not --quiet:
    // the resume's log line says when it trains.
    const args = tiny(gray, out, 150).filter((a) => a !== '--quiet');
    const first = start(args);
    const ckpt = join(out, 'prefix-tuning', 'seed-1', 'checkpoint.json');
    await until(() => existsSync(ckpt), first.child, 'the first checkpoint');
    first.child.kill('SIGTERM');
    expect(await first.exit, first.err()).toBe(143);
    const hint = /norga: interrupted \(SIGTERM\); continue with: norga run (.*) --out (\S+) --resume\n/.exec(
      first.err(),
    );
    expect(hint, first.err()).not.toBeNull();
    expect(hint?.[2]).toBe(out);
    expect(JSON.parse(readFileSync(ckpt, 'utf8')).tasksDone).toBe(1);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    expect(existsSync(join(out, 'results.json'))).toBe(false);

    // The printed command, interrupted again with Ctrl-C once it is training.
    const resumeArgs = [...(hint?.[1] ?? '').split(' '), '--out', out, '--resume'];
    const second = start(resumeArgs);
    await until(() => /resuming after task 1 of 2/.test(second.err()), second.child, 'the resume');
    second.child.kill('SIGINT');
    expect(await second.exit, second.err()).toBe(130);
    expect(second.err()).toMatch(/norga: interrupted \(SIGINT\); continue with: norga run .* --resume\n/);

    const third = start(resumeArgs);
    expect(await third.exit, third.err()).toBe(0);
    expect(third.err()).toMatch(/resuming after task 1 of 2/);
    expect(existsSync(join(out, 'results.json'))).toBe(true);
  });
});
