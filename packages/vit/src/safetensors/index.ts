export { encodeFloats, toFloat32 } from './convert.js';
export type { FloatDType, SafetensorsDType } from './dtypes.js';
export { dtypeBytes, isSafetensorsDType, SAFETENSORS_DTYPE_BYTES } from './dtypes.js';
export { SafetensorsError } from './errors.js';
export { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './half.js';
export type {
  LoadedTensor,
  ReadOptions,
  SafetensorsEntry,
  SafetensorsFile,
  SafetensorsHeader,
} from './read.js';
export { DEFAULT_MAX_HEADER_BYTES, parseHeader, readHeaderLength, readSafetensors } from './read.js';
export type { TensorToWrite } from './write.js';
export { serializeSafetensors } from './write.js';
