/** Every problem found in a safetensors file or header; the message names the tensor and the rule broken. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}
