import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import * as browser from '../src/browser.js';
import { DataFormatError, decodeIdx, encodeIdx } from '../src/browser.js';

/** Every module reachable from src/browser.ts through relative imports, with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const src = readFileSync(file, 'utf8');
    const specs = [...src.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]!);
    seen.set(
      file,
      specs.filter((s) => !s.startsWith('.')),
    );
    for (const s of specs.filter((s) => s.startsWith('.')))
      visit(resolve(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return seen;
}

describe('browser entry', () => {
  test('imports nothing from Node or the Node-only image decoders', () => {
    const graph = importGraph(fileURLToPath(new URL('../src/browser.ts', import.meta.url)));
    expect(graph.size).toBeGreaterThan(10);
    const bare = new Set([...graph.values()].flat());
    expect([...bare].sort()).toEqual(['@norga/tensor']);
  });

  test('exposes the byte-level readers, transforms, splits and loaders', () => {
    for (const name of [
      'parseIdx',
      'decodeIdx',
      'parseCifar',
      'mnistFromDigitArrays',
      'resize',
      'classIncrementalSplit',
      'DataLoader',
    ]) {
      expect(typeof (browser as Record<string, unknown>)[name]).toBe('function');
    }
  });

  test('decodeIdx reads raw and gzipped IDX (DecompressionStream)', async () => {
    const raw = encodeIdx({ type: 'uint8', shape: [2, 2], data: Uint8Array.of(1, 2, 3, 4) });
    expect([...(await decodeIdx(raw, 'r')).data]).toEqual([1, 2, 3, 4]);
    const gz = await decodeIdx(gzipSync(raw), 'g');
    expect(gz.shape).toEqual([2, 2]);
    expect([...gz.data]).toEqual([1, 2, 3, 4]);
    const bad = Uint8Array.from(gzipSync(raw));
    await expect(decodeIdx(bad.subarray(0, 10), 'https://x/t.gz')).rejects.toBeInstanceOf(DataFormatError);
    await expect(decodeIdx(bad.subarray(0, 10), 'https://x/t.gz')).rejects.toThrow(
      /^https:\/\/x\/t\.gz: corrupt/,
    );
  });
});
