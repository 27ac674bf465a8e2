/// <reference types="@webgpu/types" />
/** What a kernel family needs from the backend: buffers of views, a shader cache, and dispatch. */
import type { View } from '../../../backend.js';
import { WORKGROUP } from '../constants.js';
import type { DeferredIndexChecks } from '../index-check.js';
import { grid1d, type Params } from '../layout.js';
import type { Recorder } from '../recorder.js';
import type { GpuStorage } from '../storage.js';

export class KernelContext {
  /** Generated WGSL by structural key, so the source is built once per kernel variant, not per call. */
  readonly #shaders = new Map<string, string>();

  constructor(
    readonly device: GPUDevice,
    readonly recorder: Recorder,
    readonly indexChecks: DeferredIndexChecks,
    /** A CPU-emulated adapter (lavapipe, SwiftShader): kernels that avoid workgroup memory win there. */
    readonly cpuAdapter: boolean,
  ) {
    this.maxGroupsPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    this.maxStorageBuffers = device.limits.maxStorageBuffersPerShaderStage;
  }

  /** The buffer a kernel binds for a view, after copying in a deferred host write (GpuStorage.upload). */
  buffer(v: View): GPUBuffer {
    const h = v.storage.handle as GpuStorage;
    if (h.upload) {
      this.recorder.upload(h.buffer, h.upload);
      h.upload = undefined;
    }
    return h.buffer;
  }

  shader(key: string, build: () => string): string {
    let s = this.#shaders.get(key);
    if (s === undefined) {
      s = build();
      this.#shaders.set(key, s);
    }
    return s;
  }

  /** Read once: every access to device.limits is a native call. */
  readonly maxGroupsPerDim: number;
  readonly maxStorageBuffers: number;

  /** A dispatch of `invocations` threads in workgroups of `WORKGROUP` (the shader reads `LINEAR_INDEX`). */
  dispatch1d(
    op: string,
    wgsl: string,
    params: Params,
    buffers: readonly GPUBuffer[],
    invocations: number,
    workgroupSize = WORKGROUP,
  ): void {
    this.recorder.dispatch(
      op,
      wgsl,
      params.words,
      buffers,
      grid1d(invocations, workgroupSize, this.maxGroupsPerDim),
    );
  }

  dispatch(
    op: string,
    wgsl: string,
    params: Params,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number, number],
  ): void {
    this.recorder.dispatch(op, wgsl, params.words, buffers, groups);
  }
}
