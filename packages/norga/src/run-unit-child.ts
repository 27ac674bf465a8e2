/**
 * The child side of a parallel run (run-units.ts): `norga run` started by a parent with NORGA_RUN_PARENT set
 * resolves the same configuration, attaches to the parent's run directory (the parent holds its lock) and then
 * computes the units the parent sends, one at a time, reporting progress as messages. It exits when told, and
 * at once if the parent goes away (a child must never compute for a run nobody holds).
 */
import { describeNorgaError } from './errors.js';
import type { ChildMessage, ParentMessage } from './run-units.js';
import { needsTiiStage, type ProgressReporter, SILENT, type UnitContext, UnitRunner } from './runner.js';
import type { TiiStage } from './tii-stage.js';

function send(m: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

/** Progress that goes to the parent. */
const toParent: ProgressReporter = {
  step: (fields, units = 1) => void send({ type: 'step', fields, units }),
  addDone: (units) => void send({ type: 'addDone', units }),
  skip: (units) => void send({ type: 'skip', units }),
  log: (message) => void send({ type: 'log', message }),
};

/**
 * Serves units to the parent process until it says exit; resolves with the exit status (0, or the status of the
 * error a unit failed with, after the parent was told).
 */
export function serveUnits(c: Omit<UnitContext, 'progress' | 'log'>): Promise<number> {
  const work = new UnitRunner({ ...c, progress: toParent, log: toParent.log });
  // Reads back a TII stage another child finished, without reporting it as skipped work.
  const reader = new UnitRunner({ ...c, progress: SILENT, log: SILENT.log });
  const needsTii = needsTiiStage(c.cfg);
  const tiis = new Map<number, TiiStage>();
  const orphaned = () => process.exit(1);
  process.on('disconnect', orphaned);
  return new Promise<number>((settle) => {
    // The IPC channel would keep this process alive: close it on the way out.
    const resolve = (code: number) => {
      process.off('disconnect', orphaned);
      process.disconnect?.();
      settle(code);
    };
    process.on('message', async (m: ParentMessage) => {
      if ('exit' in m) return resolve(0);
      const u = m.unit;
      try {
        if (u.kind === 'tii') tiis.set(u.seed, await work.tii(u.seed));
        else {
          // The seed's stage, finished by this or another child: read back from its file.
          const tii = needsTii ? (tiis.get(u.seed) ?? (await reader.tii(u.seed))) : undefined;
          await work.method(u.seed, u.method, tii);
        }
        await send({ type: 'finished' });
      } catch (err) {
        const known = describeNorgaError(err);
        const message =
          known?.message ??
          `internal error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
        const code = known?.code ?? 70;
        await send({ type: 'failed', message, code });
        resolve(code);
      }
    });
    void send({ type: 'ready' });
  });
}
