/**
 * NORGA_DEBUG: see the kernels the backends generate (as tinygrad's DEBUG=4 shows its). Each kernel is printed
 * to stderr once, when it is compiled:
 *   NORGA_DEBUG=kernels   all of them: JavaScript loop nests (CPU), WebAssembly function summaries (the CPU's
 *                         WebAssembly tier), WGSL shaders (WebGPU)
 *   NORGA_DEBUG=js,wgsl   only the languages named (js, wasm, wgsl)
 * The variable is read at each compile (compiles are rare and cached), so setting process.env.NORGA_DEBUG
 * in a running program takes effect for the kernels compiled after it.
 */

/** The languages kernels are generated in. */
export type KernelLanguage = 'js' | 'wasm' | 'wgsl';

const LANGUAGES: readonly KernelLanguage[] = ['js', 'wasm', 'wgsl'];
const warned = new Set<string>();

/** The languages NORGA_DEBUG asks to see (none when unset, or outside Node). */
function requested(): readonly string[] {
  const value = typeof process === 'undefined' ? undefined : process.env?.NORGA_DEBUG;
  if (!value) return [];
  const words = value.split(',').map((w) => w.trim());
  for (const w of words) {
    if (w !== 'kernels' && !(LANGUAGES as readonly string[]).includes(w) && !warned.has(w)) {
      warned.add(w);
      write(`[norga] NORGA_DEBUG: unknown '${w}' ignored (use kernels, or a list of js, wasm, wgsl)\n`);
    }
  }
  return words.includes('kernels') ? LANGUAGES : words;
}

function write(text: string): void {
  if (typeof process !== 'undefined' && process.stderr) process.stderr.write(text);
  else console.error(text);
}

/**
 * Called by a backend when it compiles a kernel: prints `source()` under a header naming the language and
 * the kernel, if NORGA_DEBUG asks for that language. `source` is only called then.
 */
export function debugKernel(language: KernelLanguage, name: string, source: () => string): void {
  if (!requested().includes(language)) return;
  write(`[norga] ${language} kernel ${name}\n${source().trimEnd()}\n\n`);
}
