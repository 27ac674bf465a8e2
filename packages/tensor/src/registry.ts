/** Which backends exist, which are initialised, and which one new tensors go to. */
import type { Backend } from './backend.js';
import { BackendError } from './errors.js';

/** Makes a backend (possibly asynchronously, as WebGPU does). */
export type BackendFactory = () => Backend | Promise<Backend>;

const factories = new Map<string, BackendFactory>();
const ready = new Map<string, Backend>();
const pending = new Map<string, Promise<Backend>>();
let current = 'cpu';

/** Makes a backend known by name. Its factory runs on first use (`setBackend` / `initBackend`). */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
}

/** Initialises a backend (once) and returns it. WebGPU acquires its adapter and device here. */
export async function initBackend(name: string): Promise<Backend> {
  const have = ready.get(name);
  if (have) return have;
  let p = pending.get(name);
  if (!p) {
    const factory = factories.get(name);
    if (!factory)
      throw new BackendError(
        'initBackend',
        `unknown backend '${name}' (registered: ${[...factories.keys()].join(', ')})`,
      );
    p = Promise.resolve(factory()).then((b) => {
      ready.set(name, b);
      return b;
    });
    pending.set(name, p);
    p.catch(() => pending.delete(name));
  }
  return p;
}

/** Makes `name` the default backend for new tensors, initialising it first. */
export async function setBackend(name: string): Promise<void> {
  await initBackend(name);
  current = name;
}

/** An initialised backend by name (default: the current one). Synchronous; throws if not initialised. */
export function getBackend(name: string = current): Backend {
  const b = ready.get(name);
  if (b) return b;
  const factory = factories.get(name);
  if (factory && name === 'cpu') {
    // The CPU backend needs no async setup: create it on first use.
    const made = factory();
    if (made instanceof Promise)
      throw new BackendError('getBackend', `backend '${name}' needs await initBackend('${name}')`);
    ready.set(name, made);
    return made;
  }
  throw new BackendError(
    'getBackend',
    factory
      ? `backend '${name}' is not initialised: await setBackend('${name}') or initBackend('${name}') first`
      : `unknown backend '${name}'`,
  );
}

/** The name of the backend new tensors go to. */
export function currentBackendName(): string {
  return current;
}

/** Disposes a backend (destroying its device) and forgets it; the current backend falls back to cpu. */
export function disposeBackend(name: string): void {
  const b = ready.get(name);
  if (!b) return;
  b.dispose();
  ready.delete(name);
  pending.delete(name);
  if (current === name) current = 'cpu';
}
