/**
 * Learning-rate schedulers, as torch.optim.lr_scheduler: each sets every group's lr from its initial lr and
 * the epoch (step) count. Construction applies epoch 0; each step() advances one. Closed forms are used
 * (PyTorch's recursive forms give the same values up to rounding).
 */
import { GradError } from '../errors.js';

/** What a scheduler needs of an optimizer: its parameter groups' lr. */
export interface HasGroups {
  paramGroups: { lr: number; initialLr?: number }[];
}

/** The base of the learning-rate schedulers: sets every group's lr from its initial lr and the step count. */
export abstract class LRScheduler {
  lastEpoch = 0;
  readonly baseLrs: number[];

  constructor(protected readonly optimizer: HasGroups) {
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** Applies epoch 0. Subclasses call it at the end of their constructor, once their own fields are set. */
  protected start(): void {
    this.#apply();
  }

  /** The lr of a group with initial lr `base` at `epoch`. */
  protected abstract lrAt(epoch: number, base: number): number;

  /** Advances one epoch (step) and sets each group's lr. */
  step(): void {
    this.lastEpoch++;
    this.#apply();
  }

  #apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!);
    });
  }

  /** The lr of each group as last set. */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The epoch count and initial lrs, for checkpoints. */
  stateDict(): { lastEpoch: number; baseLrs: number[] } {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs] };
  }

  /** Restores stateDict() and sets the lrs it implies. */
  loadStateDict(sd: { lastEpoch: number; baseLrs: number[] }): void {
    this.lastEpoch = sd.lastEpoch;
    this.baseLrs.splice(0, this.baseLrs.length, ...sd.baseLrs);
    this.#apply();
  }
}

/** lr = base · γ^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: HasGroups,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    if (!(Number.isInteger(stepSize) && stepSize > 0))
      throw new GradError('StepLR', `stepSize must be a positive integer, got ${stepSize}`);
    super(optimizer);
    this.start();
  }
  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr = etaMin + (base - etaMin)·(1 + cos(π·epoch/TMax))/2. */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: HasGroups,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    if (!(tMax > 0)) throw new GradError('CosineAnnealingLR', `tMax must be > 0, got ${tMax}`);
    super(optimizer);
    this.start();
  }
  protected lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}

/** Linear warm-up: the factor goes from startFactor to endFactor over totalIters steps, then stays. */
export class LinearLR extends LRScheduler {
  constructor(
    optimizer: HasGroups,
    readonly startFactor = 1 / 3,
    readonly endFactor = 1,
    readonly totalIters = 5,
  ) {
    if (!(startFactor > 0 && startFactor <= 1))
      throw new GradError('LinearLR', `startFactor must lie in (0, 1], got ${startFactor}`);
    if (!(endFactor >= 0 && endFactor <= 1))
      throw new GradError('LinearLR', `endFactor must lie in [0, 1], got ${endFactor}`);
    // totalIters = 0 would divide by zero (PyTorch raises ZeroDivisionError at the first step)
    if (!(Number.isInteger(totalIters) && totalIters > 0))
      throw new GradError('LinearLR', `totalIters must be a positive integer, got ${totalIters}`);
    super(optimizer);
    this.start();
  }
  protected lrAt(epoch: number, base: number): number {
    const t = Math.min(epoch, this.totalIters) / this.totalIters;
    return base * (this.startFactor + (this.endFactor - this.startFactor) * t);
  }
}

/** lr = base · f(epoch), for any schedule (e.g. warm-up then cosine). */
export class LambdaLR extends LRScheduler {
  constructor(
    optimizer: HasGroups,
    private readonly f: (epoch: number) => number,
  ) {
    super(optimizer);
    this.start();
  }
  protected lrAt(epoch: number, base: number): number {
    return base * this.f(epoch);
  }
}

/** A LambdaLR factor: linear warm-up from 0 over `warmup` steps, then cosine decay to minFactor at `total`. */
export function warmupCosine(warmup: number, total: number, minFactor = 0): (epoch: number) => number {
  return (epoch) => {
    if (epoch < warmup) return (epoch + 1) / warmup;
    const t = Math.min(1, (epoch - warmup) / Math.max(1, total - warmup));
    return minFactor + ((1 - minFactor) * (1 + Math.cos(Math.PI * t))) / 2;
  };
}
