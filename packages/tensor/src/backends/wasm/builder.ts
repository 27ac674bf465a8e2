/**
 * A small WebAssembly module builder: just enough of the binary format (types, one imported memory, functions,
 * exports, code with locals) to emit the CPU kernels at run time, so no toolchain or binary ever enters the repo.
 * Instructions are written through `Code`, a byte emitter with one method per instruction we use; the spec's
 * section and opcode numbers are spelled out where they are written.
 */
import { debugKernel } from '../../debug.js';

export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Unsigned LEB128. */
export function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function utf8(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** SIMD opcodes (after the 0xfd prefix) we emit. */
export const Simd = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  f32x4Eq: 0x41,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4TruncSatF32x4S: 0xf8,
  f32x4ExtractLane: 0x1f,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  /** Relaxed SIMD: a*b+c, fused or not at the engine's choice (fused on x64 with FMA, arm64). */
  f32x4RelaxedMadd: 0x105,
} as const;

/** One function body: locals after the parameters, and the instruction bytes. */
export class Code {
  readonly bytes: number[] = [];
  private readonly extraLocals: ValType[] = [];

  constructor(readonly params: readonly ValType[]) {}

  /** Declares a local after the parameters and returns its index. */
  local(type: ValType): number {
    this.extraLocals.push(type);
    return this.params.length + this.extraLocals.length - 1;
  }

  get locals(): readonly ValType[] {
    return this.extraLocals;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  private memarg(alignLog2: number, offset: number): this {
    uleb(this.bytes, alignLog2);
    uleb(this.bytes, offset);
    return this;
  }

  // control
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  if(body: () => void, orElse?: () => void): this {
    this.op(0x04, 0x40);
    body();
    if (orElse) {
      this.op(0x05);
      orElse();
    }
    return this.op(0x0b);
  }
  br(depth: number): this {
    this.op(0x0c);
    uleb(this.bytes, depth);
    return this;
  }
  brIf(depth: number): this {
    this.op(0x0d);
    uleb(this.bytes, depth);
    return this;
  }
  return(): this {
    return this.op(0x0f);
  }
  select(): this {
    return this.op(0x1b);
  }
  drop(): this {
    return this.op(0x1a);
  }

  // locals
  get(i: number): this {
    this.op(0x20);
    uleb(this.bytes, i);
    return this;
  }
  set(i: number): this {
    this.op(0x21);
    uleb(this.bytes, i);
    return this;
  }
  tee(i: number): this {
    this.op(0x22);
    uleb(this.bytes, i);
    return this;
  }

  // memory (alignment hints are log2 bytes)
  i32Load(offset = 0): this {
    return this.op(0x28).memarg(2, offset);
  }
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(2, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(2, offset);
  }
  f64Load(offset = 0): this {
    return this.op(0x2b).memarg(3, offset);
  }
  f64Store(offset = 0): this {
    return this.op(0x39).memarg(3, offset);
  }

  // i32
  i32Const(v: number): this {
    this.op(0x41);
    sleb(this.bytes, v);
    return this;
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32LeS(): this {
    return this.op(0x4c);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32Shl(): this {
    return this.op(0x74);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }
  i32Or(): this {
    return this.op(0x72);
  }

  // f64 (reductions accumulate in doubles, as the JS tier does)
  f64Const(v: number): this {
    this.op(0x44);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  f64Ne(): this {
    return this.op(0x62);
  }
  f64Lt(): this {
    return this.op(0x63);
  }
  f64Gt(): this {
    return this.op(0x64);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f32DemoteF64(): this {
    return this.op(0xb6);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }

  // f32
  f32Const(v: number): this {
    this.op(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Sub(): this {
    return this.op(0x93);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f32Div(): this {
    return this.op(0x95);
  }
  f32Max(): this {
    return this.op(0x97);
  }
  f32Sqrt(): this {
    return this.op(0x91);
  }

  // SIMD
  simd(opcode: number): this {
    this.op(0xfd);
    uleb(this.bytes, opcode);
    return this;
  }
  v128Load(offset = 0): this {
    return this.simd(Simd.load).memarg(4, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(Simd.store).memarg(4, offset);
  }
  /** Loads one f32 and broadcasts it to all four lanes. */
  load32Splat(offset = 0): this {
    return this.simd(Simd.load32Splat).memarg(2, offset);
  }
  /** v128.const with the same f32 in every lane. */
  f32x4Const(v: number): this {
    this.simd(0x0c);
    const b = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  /** v128.const with the same i32 in every lane. */
  i32x4Const(v: number): this {
    this.simd(0x0c);
    const b = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  f32x4ReplaceLane(lane: number): this {
    return this.simd(0x20).op(lane);
  }
  f32x4ExtractLane(lane: number): this {
    return this.simd(Simd.f32x4ExtractLane).op(lane);
  }
}

export interface FuncDef {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly code: Code;
  /** What the function computes, for NORGA_DEBUG's summary (an elementwise kernel's expression). */
  readonly about?: string;
}

const TYPE_NAMES: { readonly [K in ValType]: string } = {
  [ValType.i32]: 'i32',
  [ValType.i64]: 'i64',
  [ValType.f32]: 'f32',
  [ValType.f64]: 'f64',
  [ValType.v128]: 'v128',
};
const typeList = (ts: readonly ValType[]) => ts.map((t) => TYPE_NAMES[t]).join(', ');
/** Locals by type, as `4 i32, 5 v128`. */
function localCounts(ts: readonly ValType[]): string {
  const counts = new Map<string, number>();
  for (const t of ts) counts.set(TYPE_NAMES[t], (counts.get(TYPE_NAMES[t]) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${n} ${t}`).join(', ') || 'none';
}

/** One line per function: its signature, locals and code size, and what it computes (NORGA_DEBUG=wasm). */
function summary(funcs: readonly FuncDef[], moduleBytes: number): string {
  const lines = funcs.map(
    (f) =>
      `${f.name}(${typeList(f.params)}) -> (${typeList(f.results)}); locals ${localCounts(f.code.locals)}; ${f.code.bytes.length} bytes of code${f.about ? `\n  ${f.about}` : ''}`,
  );
  return `${lines.join('\n')}\nmodule: ${funcs.length} functions, ${moduleBytes} bytes`;
}

export interface MemoryImport {
  readonly module: string;
  readonly field: string;
  readonly initialPages: number;
  readonly maximumPages: number;
  readonly shared: boolean;
}

function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  for (const b of body) out.push(b);
}

/** Encodes a module importing one memory and exporting every function by name. */
export function buildModule(memory: MemoryImport, funcs: readonly FuncDef[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  // 1: types, one per function (duplicates are harmless and keep indices trivial)
  const types: number[] = [];
  uleb(types, funcs.length);
  for (const f of funcs) {
    types.push(0x60);
    uleb(types, f.params.length);
    for (const p of f.params) types.push(p);
    uleb(types, f.results.length);
    for (const r of f.results) types.push(r);
  }
  section(out, 1, types);

  // 2: imports: the memory (limits flag 0x03 = shared with maximum, 0x01 = maximum)
  const imports: number[] = [];
  uleb(imports, 1);
  utf8(imports, memory.module);
  utf8(imports, memory.field);
  imports.push(0x02, memory.shared ? 0x03 : 0x01);
  uleb(imports, memory.initialPages);
  uleb(imports, memory.maximumPages);
  section(out, 2, imports);

  // 3: function -> type index
  const fns: number[] = [];
  uleb(fns, funcs.length);
  for (let i = 0; i < funcs.length; i++) uleb(fns, i);
  section(out, 3, fns);

  // 7: exports (kind 0x00 = function)
  const exps: number[] = [];
  uleb(exps, funcs.length);
  funcs.forEach((f, i) => {
    utf8(exps, f.name);
    exps.push(0x00);
    uleb(exps, i);
  });
  section(out, 7, exps);

  // 10: code; locals are run-length grouped by type
  const code: number[] = [];
  uleb(code, funcs.length);
  for (const f of funcs) {
    const body: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of f.code.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    for (const b of f.code.bytes) body.push(b);
    body.push(0x0b);
    uleb(code, body.length);
    for (const b of body) code.push(b);
  }
  section(out, 10, code);

  debugKernel('wasm', funcs.map((f) => f.name).join(', '), () => summary(funcs, out.length));
  return new Uint8Array(out);
}
