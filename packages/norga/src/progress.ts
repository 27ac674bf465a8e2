/**
 * A progress line for long runs: what is being trained (method, seed, task, epoch, step), the smoothed loss and
 * an ETA for the whole run from the average time per step so far. On a terminal it redraws one line; in a log
 * (not a TTY) it prints a line at most every `logEverySeconds`, so CI logs stay short.
 */

/** What a progress line shows for the current step. */
export interface ProgressFields {
  label: string;
  task: number;
  tasks: number;
  epoch: number;
  epochs: number;
  step: number;
  steps: number;
  loss: number;
}

/** Where progress goes: a stream such as process.stderr. */
export interface ProgressSink {
  /** A terminal: redraw one line in place. */
  isTTY?: boolean;
  /** Terminal width, to fit the line. */
  columns?: number;
  /** Writes text as it is. */
  write(s: string): unknown;
}

/** Seconds as `m:ss` or `h:mm:ss`; `--:--` for a negative or non-finite value. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** A bar of `width` characters, `fraction` (clamped to [0, 1]) of them full. */
export function bar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `${'█'.repeat(full)}${'░'.repeat(width - full)}`;
}

/** The run's progress line and ETA; every count is in work units (see step). */
export class Progress {
  private done = 0;
  private readonly start: number;
  private lastLog = Number.NEGATIVE_INFINITY;
  private smoothLoss = Number.NaN;
  private drawn = false;
  private lastLabel = '';

  constructor(
    /** Total work units of the whole run (for the ETA and the bar). */
    private total: number,
    private readonly sink: ProgressSink | null = process.stderr,
    private readonly logEverySeconds = 10,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {
    this.start = now();
  }

  /** Adds `steps` units to the total (work found later, e.g. a stage's size once known). */
  addWork(steps: number): void {
    this.total += steps;
  }

  /** Work done without a line of its own (evaluation, feature passes): moves the bar and the ETA. */
  addDone(units: number): void {
    this.done += units;
  }

  /** Counts steps that were already done before a resume, so the ETA covers only what is left. */
  skip(steps: number): void {
    this.total -= steps;
  }

  /** The ETA in seconds: average seconds per step so far times the steps left. */
  eta(): number {
    if (this.done === 0) return Number.NaN;
    return ((this.now() - this.start) / this.done) * Math.max(0, this.total - this.done);
  }

  /** The line for `f`: label, task, epoch and step, smoothed loss, bar, ETA. */
  line(f: ProgressFields): string {
    const frac = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const loss = Number.isFinite(this.smoothLoss) ? this.smoothLoss.toFixed(4) : '-';
    // Feature passes have no epochs or steps: show only the task.
    const where = f.steps > 0 ? ` epoch ${f.epoch}/${f.epochs} step ${f.step}/${f.steps}` : '';
    return (
      `${f.label} task ${f.task}/${f.tasks}${where} ` +
      `loss ${loss} ${bar(frac, 20)} ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `elapsed ${formatDuration(this.now() - this.start)} ETA ${formatDuration(this.eta())}`
    );
  }

  /**
   * One step finished, worth `units` of the run's total work (the ETA counts work, not steps: a training step
   * over a batch costs about three forward passes of it, a step on cached features almost nothing).
   */
  step(f: ProgressFields, units = 1): void {
    this.done += units;
    // An exponential moving average (single-batch losses are too noisy to read), restarted per phase.
    if (f.label !== this.lastLabel) this.smoothLoss = Number.NaN;
    this.lastLabel = f.label;
    this.smoothLoss = Number.isFinite(this.smoothLoss) ? 0.9 * this.smoothLoss + 0.1 * f.loss : f.loss;
    const sink = this.sink;
    if (!sink) return;
    if (sink.isTTY) {
      const text = this.line(f).slice(0, (sink.columns ?? 120) - 1);
      sink.write(`\r\x1b[2K${text}`);
      this.drawn = true;
    } else {
      const t = this.now();
      // A line every logEverySeconds, and at the end of each epoch of a training phase.
      if (
        t - this.lastLog >= this.logEverySeconds ||
        (f.steps > 0 && f.step === f.steps && f.epoch === f.epochs)
      ) {
        this.lastLog = t;
        sink.write(`${this.line(f)}\n`);
      }
    }
  }

  /** Prints a message on its own line without garbling the bar. */
  log(message: string): void {
    const sink = this.sink;
    if (!sink) return;
    if (sink.isTTY && this.drawn) sink.write('\r\x1b[2K');
    sink.write(`${message}\n`);
    this.drawn = false;
  }

  /** Ends the line on a terminal (a newline after the last redraw). */
  finish(): void {
    if (this.sink?.isTTY && this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}
