/**
 * Checkpoint tensors are base64 in JSON, written without Node's Buffer so that the browser entry can run them: the
 * text must be exactly what Buffer writes (old checkpoints read back, checksums unchanged).
 */
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../src/state.js';

describe('bytesToBase64 / base64ToBytes', () => {
  it("write Node Buffer's base64 and read it back, for every length mod 3 and beyond one 32 KiB chunk", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 0x8000 - 1, 0x8000, 0x8000 + 1, 100_003]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131 + (i >> 7)) & 255);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
  });
  it('refuses text that is not base64, saying so', () => {
    expect(() => base64ToBytes('AAA*')).toThrow(/not base64 data: "AAA\*"/);
  });
});
