export { DEFAULT_MAX_HEADER_BYTES, parseHeader, readHeaderLength, readSafetensors } from './read.js';
export type { LoadedTensor, ReadOptions, SafetensorsEntry, SafetensorsFile, SafetensorsHeader } from './read.js';
export { serializeSafetensors } from './write.js';
export type { TensorToWrite } from './write.js';
export { encodeFloats, toFloat32 } from './convert.js';
export { bf16BitsToFloat, f16BitsToFloat, floatToBf16Bits, floatToF16Bits } from './half.js';
export { SAFETENSORS_DTYPE_BYTES, dtypeBytes, isSafetensorsDType } from './dtypes.js';
export type { FloatDType, SafetensorsDType } from './dtypes.js';
export { SafetensorsError } from './errors.js';
