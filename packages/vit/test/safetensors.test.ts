import { describe, expect, it } from 'vitest';
import {
  f16BitsToFloat,
  floatToBf16Bits,
  floatToF16Bits,
  readSafetensors,
  SafetensorsError,
  serializeSafetensors,
  toFloat32,
} from '../src/index.js';

/** Builds a file by hand: an arbitrary header string (or raw header bytes) and a data buffer. */
function build(
  header: string | Uint8Array,
  data: Uint8Array = new Uint8Array(0),
  lengthOverride?: bigint,
): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32bytes = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

function expectError(bytes: Uint8Array, pattern: RegExp, maxHeaderBytes?: number): void {
  let caught: unknown;
  try {
    readSafetensors(bytes, maxHeaderBytes === undefined ? {} : { maxHeaderBytes });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  expect((caught as Error).message).toMatch(pattern);
}

describe('safetensors round trip', () => {
  it('writes F32/F16/BF16 with metadata and reads the same values back', () => {
    const a = [1, -2.5, 3.25, 0, 65504, 1e-3];
    const bytes = serializeSafetensors(
      {
        'z.f32': { shape: [2, 3], data: a },
        'a.f16': { shape: [3, 2], data: a, dtype: 'F16' },
        'm.bf16': { shape: [6], data: a, dtype: 'BF16' },
        empty: { shape: [0, 4], data: [] },
      },
      { format: 'pt', note: 'hello' },
    );
    // Order: F32 tensors by name, then the 2-byte ones by name (largest dtype first keeps alignment).
    // Header padded with spaces to an 8-byte boundary, as the Rust implementation does.
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const f = readSafetensors(bytes);
    expect({ ...f.metadata }).toEqual({ format: 'pt', note: 'hello' });
    expect([...f.tensors.keys()]).toEqual(['empty', 'z.f32', 'a.f16', 'm.bf16']);
    const z = f.tensors.get('z.f32')!;
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(toFloat32(z))).toEqual(Array.from(new Float32Array(a)));
    // F16: exactly representable values survive; 1e-3 rounds to the nearest half, 0.0010004043579101562.
    expect(Array.from(toFloat32(f.tensors.get('a.f16')!))).toEqual([
      1, -2.5, 3.25, 0, 65504, 0.0010004043579101562,
    ]);
    // BF16 keeps 8 mantissa bits (values from torch: .bfloat16().float()).
    expect(Array.from(toFloat32(f.tensors.get('m.bf16')!))).toEqual([
      1, -2.5, 3.25, 0, 65536, 0.00099945068359375,
    ]);
    expect(toFloat32(f.tensors.get('empty')!).length).toBe(0);
  });

  it('reads a header written by another writer (no padding, unaligned data)', () => {
    const header =
      '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    const f = readSafetensors(build(header, f32bytes([7, 9])));
    expect(Array.from(toFloat32(f.tensors.get('a')!))).toEqual([7]);
    expect(Array.from(toFloat32(f.tensors.get('b')!))).toEqual([9]);
  });

  it('converts half-precision edge cases like PyTorch', () => {
    expect(floatToF16Bits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(floatToF16Bits(65519)).toBe(0x7bff);
    expect(floatToF16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(floatToF16Bits(2 ** -25)).toBe(0); // ties to even → 0
    expect(floatToF16Bits(-0)).toBe(0x8000);
    expect(f16BitsToFloat(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(Number.isNaN(f16BitsToFloat(floatToF16Bits(Number.NaN)))).toBe(true);
    expect(floatToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(floatToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even (up)
  });

  it('rejects bad input to the writer', () => {
    expect(() => serializeSafetensors({ x: { shape: [2, 2], data: [1, 2, 3] } })).toThrow(
      /needs 4 values, got 3/,
    );
    expect(() => serializeSafetensors({ __metadata__: { shape: [1], data: [1] } })).toThrow(/reserved/);
    expect(() => serializeSafetensors({ x: { shape: [-1], data: [] } })).toThrow(/non-negative/);
  });
});

describe('safetensors corrupt-input battery', () => {
  const ok = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';

  it('too short for the length prefix', () => {
    expectError(new Uint8Array(5), /file too small: 5 bytes/);
    expectError(new Uint8Array(0), /file too small: 0 bytes/);
  });

  it('header length past the end of the file, or huge', () => {
    expectError(build(ok, f32bytes([1, 2]), 1000n), /header length 1000 bytes runs past the end/);
    expectError(build(ok, f32bytes([1, 2]), 0xffffffffffffffffn), /exceeds the cap of 100000000 bytes/);
    expectError(build(ok, f32bytes([1, 2]), 2n ** 53n + 1n), /exceeds the cap/);
  });

  it('header length over a caller-chosen cap', () => {
    expectError(build(ok, f32bytes([1, 2])), /header length 54 bytes exceeds the cap of 16 bytes/, 16);
  });

  it('header that is not UTF-8, not JSON, or not an object', () => {
    expectError(build(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/);
    expectError(build('{"x": '), /not valid JSON/);
    expectError(build('[1, 2, 3]'), /starting with '\{'/);
    expectError(build(' {}'), /starting with '\{'/);
    expectError(build('{}', new Uint8Array(0), 0n), /too small/);
  });

  it('malformed entries', () => {
    expectError(build('{"x": 3}'), /tensor 'x': header entry must be an object/);
    expectError(
      build('{"x":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}', f32bytes([1])),
      /unknown dtype "F33"/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', f32bytes([1])),
      /shape must be an array/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', f32bytes([1])),
      /shape must be an array/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}', f32bytes([1])),
      /shape must be an array/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', f32bytes([1])),
      /data_offsets must be \[begin, end\]/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', f32bytes([1])),
      /end before they begin/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}', f32bytes([1])),
      /unknown field 'extra'/,
    );
  });

  it('offsets outside the data buffer', () => {
    expectError(
      build('{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', f32bytes([1])),
      /lie outside the 4-byte data buffer/,
    );
    expectError(
      build(
        '{"x":{"dtype":"F32","shape":[1],"data_offsets":[9007199254740990,9007199254740994]}}',
        f32bytes([1]),
      ),
      /data_offsets must be/,
    );
  });

  it('size not equal to shape × dtype, even when the shape product overflows', () => {
    expectError(
      build('{"x":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}}', f32bytes([1, 2])),
      /is 4 bytes but .* hold 8/,
    );
    // 2^32 × 2^32 × 4 bytes would wrap to 0 in 64-bit arithmetic; BigInt sees it.
    expectError(
      build('{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}'),
      /is 73786976294838206464 bytes but/,
    );
  });

  it('overlapping tensors, gaps and trailing bytes', () => {
    expectError(
      build(
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        f32bytes([1, 2]),
      ),
      /overlaps tensor/,
    );
    expectError(
      build('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32bytes([1, 2])),
      /gap in the data buffer: bytes \[0, 4\)/,
    );
    expectError(build(ok, f32bytes([1, 2, 3])), /data buffer is 12 bytes but the tensors cover only 8/);
  });

  it('duplicate tensor names are rejected, naming the key, even when the last entry covers the buffer', () => {
    // JSON.parse keeps the last "x", which alone tiles the 8-byte buffer
    expectError(
      build(
        '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
        f32bytes([1, 2]),
      ),
      /duplicate tensor name 'x'/,
    );
    // the same name spelled with an escape is the same key
    expectError(
      build(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"\\u0078":3}`),
      /duplicate tensor name 'x'/,
    );
    expectError(
      build('{"x":{"dtype":"F32","shape":[2],"shape":[2],"data_offsets":[0,8]}}', f32bytes([1, 2])),
      /duplicate key 'shape' in header entry 'x'/,
    );
    // distinct names, strings holding braces and quotes: accepted
    const f = readSafetensors(
      build(
        '{"__metadata__":{"n":"{\\"x\\":1}"},"a}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
        f32bytes([1, 2]),
      ),
    );
    expect([...f.tensors.keys()]).toEqual(['a}', 'x']);
    expect(f.metadata.n).toBe('{"x":1}');
  });

  it('a dimension past 2^53 is reported as such', () => {
    expectError(
      build('{"x":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,4]}}', f32bytes([1])),
      /tensor 'x': shape dimension 4611686018427387904 exceeds 2\^53/,
    );
  });

  it('F64 values beyond float32 range raise on conversion instead of becoming infinite', () => {
    const bytes = new Uint8Array(new Float64Array([1.5, -1e300]).buffer);
    const f = readSafetensors(build('{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}', bytes));
    expect(() => toFloat32(f.tensors.get('w')!)).toThrow(
      /tensor 'w': F64 value -1e\+300 at flat index 1 is outside float32's range/,
    );
    // infinities and NaN stored as such convert as they are; large finite values within range round
    const ok = new Uint8Array(new Float64Array([-Infinity, Number.NaN, 3e38, 1e-50]).buffer);
    const g = readSafetensors(build('{"w":{"dtype":"F64","shape":[4],"data_offsets":[0,32]}}', ok));
    expect([...toFloat32(g.tensors.get('w')!)]).toEqual([-Infinity, Number.NaN, Math.fround(3e38), 0]);
  });

  it('bad __metadata__', () => {
    expectError(
      build(
        `{"__metadata__":{"a":1},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
        f32bytes([1, 2]),
      ),
      /__metadata__\['a'\] must be a string/,
    );
    expectError(
      build(`{"__metadata__":[],"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32bytes([1, 2])),
      /__metadata__ must be an object/,
    );
  });

  it('non-float dtypes validate but do not convert', () => {
    const f = readSafetensors(
      build('{"step":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}', new Uint8Array(8)),
    );
    expect(f.tensors.get('step')!.bytes.length).toBe(8);
    expect(() => toFloat32(f.tensors.get('step')!)).toThrow(/I64 does not convert/);
  });

  it('survives random corruption of a valid file without anything but SafetensorsError', () => {
    const good = serializeSafetensors({
      a: { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
      b: { shape: [2], data: [7, 8], dtype: 'F16' },
    });
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let rejected = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const bad = good.slice(0, rnd() < 0.2 ? Math.floor(rnd() * good.length) : good.length);
      const flips = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < flips && bad.length > 0; k++)
        bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
      try {
        const f = readSafetensors(bad);
        for (const t of f.tensors.values()) toFloat32(t);
      } catch (e) {
        expect(e).toBeInstanceOf(SafetensorsError);
        rejected++;
      }
    }
    // Most corruptions land in the header or the length; a flip inside the data is a legal file.
    expect(rejected).toBeGreaterThan(1000);
  });
});
