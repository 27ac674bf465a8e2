/** A one-line progress display: redrawn in place on a terminal, printed every few seconds otherwise. */
export interface ProgressState {
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly imagesPerSecond: number;
  readonly etaSeconds: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function formatProgress(p: ProgressState, width = 24): string {
  const frac = p.steps > 0 ? p.step / p.steps : 0;
  const filled = Math.round(frac * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  return (
    `epoch ${p.epoch}/${p.epochs} ${bar} step ${p.step}/${p.steps} ` +
    `loss ${p.loss.toFixed(4)} acc ${(100 * p.accuracy).toFixed(1)}% ` +
    `${p.imagesPerSecond.toFixed(1)} img/s ETA ${formatDuration(p.etaSeconds)}`
  );
}

export class ProgressLine {
  #last = 0;
  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly everyMs = 5000,
  ) {}

  update(p: ProgressState, force = false): void {
    const line = formatProgress(p);
    if (this.out.isTTY) {
      this.out.write(`\r${line}\x1b[K`);
      return;
    }
    const now = Date.now();
    if (force || now - this.#last >= this.everyMs) {
      this.out.write(`${line}\n`);
      this.#last = now;
    }
  }

  /** Ends the in-place line before other output. */
  break(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
