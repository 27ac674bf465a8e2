/**
 * Failures the GPU reports asynchronously (validation errors, out-of-memory, a lost device) arrive after the
 * op that caused them has returned. The backend stores the first one and throws it from the next call, naming
 * the last op recorded before it was seen, so the user's stack points near the cause.
 */
import { BackendError } from '../../errors.js';

/** An uncaptured WebGPU error (validation, out-of-memory, internal) reported by the device. */
export class WebGPUError extends BackendError {}

/** The device was lost (driver reset, GPU removed, or destroyed by someone else); the backend is unusable. */
export class DeviceLostError extends BackendError {}
