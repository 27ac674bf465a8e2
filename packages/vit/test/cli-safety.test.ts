/**
 * norga-vit pretrain refuses what it cannot do right: a flipped bit in a checkpoint or the final weights
 * (checksums), a checkpoint whose content contradicts the run, a second
 * pretraining on an --out in use (the lock), --resume with nothing to resume, stray arguments; -h per command.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { readSafetensorsFile } from '../src/node.js';

function capture() {
  let out = '';
  let err = '';
  const sink = (add: (s: string) => void) =>
    ({
      write: (s: string) => {
        add(s);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}

const root = await mkdtemp(join(tmpdir(), 'norga-vit-safety-'));
afterAll(() => rm(root, { recursive: true, force: true }));
const tiny = ['--dataset', 'mnist', '--epochs', '1', '--batch-size', '16', '--limit-train', '32', '--limit-test', '16', '--warmup-steps', '1']; // biome-ignore format: flag, value pairs

async function stoppedAtStep1(out: string): Promise<void> {
  const c = capture();
  expect(await runCli(['pretrain', ...tiny, '--out', out, '--stop-after-steps', '1'], c.io), c.err()).toBe(0);
}

describe('norga-vit pretrain: checksums', () => {
  it('a flipped bit in the weights or in the pointer is refused, naming the file', async () => {
    const out = join(root, 'flip');
    await stoppedAtStep1(out);
    const pointer = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8'));
    expect(pointer.sha256.model).toMatch(/^[0-9a-f]{64}$/);
    const model = join(out, pointer.model);
    const bytes = await readFile(model);
    const at = bytes.length - 5;
    bytes[at] = (bytes[at] as number) ^ 1; // one bit of the last weight
    await writeFile(model, bytes);
    const c = capture();
    expect(await runCli(['pretrain', ...tiny, '--out', out, '--resume'], c.io)).toBe(1);
    expect(c.err()).toMatch(/model-step1\.safetensors: checksum mismatch/);
    expect(c.err().trim().split('\n')).toHaveLength(1);
    bytes[at] = (bytes[at] as number) ^ 1;
    await writeFile(model, bytes);
    // The pointer itself: globalStep changed by hand.
    const text = await readFile(join(out, 'checkpoint.json'), 'utf8');
    await writeFile(join(out, 'checkpoint.json'), text.replace('"globalStep": 1', '"globalStep": 2'));
    const d = capture();
    expect(await runCli(['pretrain', ...tiny, '--out', out, '--resume'], d.io)).toBe(1);
    expect(d.err()).toMatch(/checkpoint\.json: checksum mismatch/);
    // Restored, the resume goes through.
    await writeFile(join(out, 'checkpoint.json'), text);
    const e = capture();
    expect(await runCli(['pretrain', ...tiny, '--out', out, '--resume'], e.io), e.err()).toBe(0);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(true);
  });
});

/** Rewrites the pointer of `out` through `edit`, with a checksum that holds (as a hand edit by someone who knows). */
async function editPointer(out: string, edit: (p: Record<string, any>) => void): Promise<void> {
  const { checksum: _, ...body } = JSON.parse(await readFile(join(out, 'checkpoint.json'), 'utf8'));
  edit(body);
  const checksum = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  await writeFile(join(out, 'checkpoint.json'), JSON.stringify({ ...body, checksum }));
}

describe('norga-vit: content that does not fit, behind a valid checksum', () => {
  it('a pointer whose progress or config contradicts the run, or whose weights do not fit, names the file and field (exit 1)', async () => {
    const out = join(root, 'unfit');
    await stoppedAtStep1(out);
    const original = await readFile(join(out, 'checkpoint.json'), 'utf8');
    const cases: [(p: Record<string, any>) => void, RegExp][] = [
      [(p) => (p.progress.stepInEpoch = 99), /checkpoint\.json: progress\.stepInEpoch is 99, not an integer in 0\.\.2/],
      [(p) => (p.progress.epoch = -1), /checkpoint\.json: progress\.epoch is -1/],
      [(p) => (p.progress.globalStep = 7), /checkpoint\.json: progress\.globalStep is 7, but epoch 0 step 1 is global step 1/],
      [(p) => (p.config.dim = 65), /checkpoint\.json: config\.dim is 65, the model has 64/],
      [(p) => (p.model = p.optimizer), /optimizer-step1\.safetensors: does not fit the model/],
    ]; // biome-ignore format: one case per line
    for (const [edit, line] of cases) {
      await writeFile(join(out, 'checkpoint.json'), original);
      await editPointer(out, (p) => {
        edit(p);
        p.sha256.model = p.sha256[p.model === p.optimizer ? 'optimizer' : 'model'];
      });
      const c = capture();
      expect(await runCli(['pretrain', ...tiny, '--out', out, '--resume'], c.io), c.err()).toBe(1);
      expect(c.err()).toMatch(line);
      expect(c.err().trim().split('\n')).toHaveLength(1);
    }
  });

  it('the final model.safetensors carries a checksum in its metadata; a flipped bit there is refused by every reader', async () => {
    const out = join(root, 'final');
    const c = capture();
    expect(await runCli(['pretrain', ...tiny, '--out', out], c.io), c.err()).toBe(0);
    const model = join(out, 'model.safetensors');
    expect((await readSafetensorsFile(model)).metadata['norga.sha256']).toMatch(/^[0-9a-f]{64}$/);
    const bytes = await readFile(model);
    for (const at of [bytes.length - 5, bytes.indexOf('"mnist"') + 2]) {
      // One bit of the last weight, then one of the metadata's data set name.
      bytes[at] = (bytes[at] as number) ^ 1;
      await writeFile(model, bytes);
      for (const cmd of [
        ['inspect', model],
        ['eval', model, '--dataset', 'mnist', '--limit-test', '16'],
      ]) {
        const d = capture();
        expect(await runCli(cmd, d.io), cmd[0]).toBe(1);
        expect(d.err()).toMatch(/model\.safetensors: checksum mismatch \(metadata 'norga\.sha256'\)/);
        expect(d.err().trim().split('\n')).toHaveLength(1);
      }
      bytes[at] = (bytes[at] as number) ^ 1;
    }
    await writeFile(model, bytes);
    const e = capture();
    expect(await runCli(['inspect', model], e.io), e.err()).toBe(0);
  });
});

describe('norga-vit pretrain: refusals', () => {
  it('an --out in use by a live process is refused with exit 3; once it is gone the run proceeds', async () => {
    const out = join(root, 'locked');
    await stoppedAtStep1(out);
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
    await writeFile(
      join(out, '.lock'),
      JSON.stringify({ pid: holder.pid, host: hostname(), started: '2026-12-05T00:00:00.000Z' }),
    );
    const c = capture();
    expect(await runCli(['pretrain', ...tiny, '--out', out, '--resume'], c.io)).toBe(3);
    expect(c.err()).toMatch(new RegExp(`in use by process ${holder.pid}`));
    await new Promise((done) => {
      holder.on('exit', done);
      holder.kill('SIGKILL');
    });
    const d = capture();
    expect(await runCli(['pretrain', ...tiny, '--out', out, '--resume'], d.io), d.err()).toBe(0);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('--resume with nothing to resume, stray arguments and a missing --data-dir leave nothing behind', async () => {
    const out = join(root, 'nothing');
    const cases: [string[], number, RegExp][] = [
      [['--resume'], 1, /--resume: .*nothing holds no checkpoint to resume/],
      [['foo'], 2, /pretrain takes no positional arguments, got 'foo'/],
      [['--data-dir', join(root, 'nope')], 2, /--data-dir .*nope: no such directory/],
      [['-x'], 2, /unknown flag '-x'/],
    ];
    for (const [extra, code, line] of cases) {
      const c = capture();
      expect(await runCli(['pretrain', ...tiny, '--out', out, ...extra], c.io), extra.join(' ')).toBe(code);
      expect(c.err()).toMatch(line);
      expect(c.err().trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('-h and --help print the usage of the command asked about', async () => {
    for (const [args, text] of [
      [['pretrain', '-h'], /usage: norga-vit pretrain/],
      [['eval', '--help'], /usage: norga-vit eval FILE/],
      [['-h'], /usage: norga-vit <command>[\s\S]*Exit status/],
    ] as const) {
      const c = capture();
      expect(await runCli([...args], c.io)).toBe(0);
      expect(c.out()).toMatch(text);
    }
  });
});
