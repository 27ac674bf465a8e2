/**
 * On the CPU backend a training loop awaits only promises that are already settled, so the event loop never
 * turns and the handlers of Ctrl-C and `kill` (which run on it) wait until the whole run ends: SIGTERM looked
 * ignored. Every long loop calls `letSignalsIn()` once per step; at most every 25 ms it gives the event loop a
 * turn, so a signal stops a run within a step, and the check costs nothing measurable in between.
 */
const EVERY_MS = 25;
let last = performance.now();

export async function letSignalsIn(): Promise<void> {
  if (performance.now() - last < EVERY_MS) return;
  await new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
  last = performance.now();
}
