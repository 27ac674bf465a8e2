/**
 * `runCommand` used as a library (a browser tab, a service) runs again and again: every call must leave the
 * tensor count where it found it (optimizers' moment buffers, the backbone's weights, masks, prototypes).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { memory } from '@norga/tensor';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../src/run-command.js';

const root = mkdtempSync(join(tmpdir(), 'norga-leak-'));
const tiny = [
  ...[
    '--tasks',
    '2',
    '--train-per-class',
    '6',
    '--test-per-class',
    '3',
    '--epochs',
    '1',
    '--batch-size',
    '8',
  ],
  ...[
    '--tii-epochs',
    '1',
    '--ca-epochs',
    '1',
    '--ca-samples-per-class',
    '4',
    '--tii-ca-samples-per-class',
    '4',
  ],
  ...['--seeds', '1', '--methods', 'prefix-tuning,norga-tanh,upper-bound', '--quiet'],
];
const io = () => ({ out: () => {}, err: new Writable({ write: (_c, _e, done) => done() }) });

describe('runCommand leaves no tensors behind', () => {
  it('returns to the starting tensor count after each of two runs', async () => {
    const start = memory().tensors;
    expect(await runCommand([...tiny, '--out', join(root, 'a')], io())).toBe(0);
    expect(memory().tensors).toBe(start);
    expect(await runCommand([...tiny, '--out', join(root, 'b')], io())).toBe(0);
    expect(memory().tensors).toBe(start);
  }, 300_000);
});
