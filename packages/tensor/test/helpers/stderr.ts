/** Runs fn with NORGA_DEBUG set to `value` (unset for undefined) and returns what it wrote to stderr. */
import { vi } from 'vitest';

export async function stderrOf(value: string | undefined, fn: () => unknown): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  const before = process.env.NORGA_DEBUG;
  if (value === undefined) delete process.env.NORGA_DEBUG;
  else process.env.NORGA_DEBUG = value;
  try {
    await fn();
  } finally {
    if (before === undefined) delete process.env.NORGA_DEBUG;
    else process.env.NORGA_DEBUG = before;
    spy.mockRestore();
  }
  return chunks.join('');
}
