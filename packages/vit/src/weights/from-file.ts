/** Safetensors file contents → named float32 arrays (F32/F16/BF16/F64 tensors converted). */
import { toFloat32 } from '../safetensors/convert.js';
import type { SafetensorsFile } from '../safetensors/read.js';
import type { NamedArrays } from './named.js';

/** Every tensor of a read safetensors file as a named float32 array (the dtypes convert.ts knows converted). */
export function namedArraysOf(file: SafetensorsFile): NamedArrays {
  const out: NamedArrays = new Map();
  for (const [name, t] of file.tensors) out.set(name, { shape: t.shape, data: toFloat32(t) });
  return out;
}
