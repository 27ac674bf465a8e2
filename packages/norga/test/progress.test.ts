import { describe, expect, it } from 'vitest';
import { bar, formatDuration, Progress } from '../src/progress.js';

describe('progress', () => {
  it('formats durations and bars', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3723)).toBe('1h02m');
    expect(formatDuration(Number.NaN)).toBe('--:--');
    expect(bar(0.5, 10)).toBe('█████░░░░░');
  });

  it('ETA = seconds per step so far × steps left, and lines name task/epoch/step/loss', () => {
    let t = 100;
    const lines: string[] = [];
    const p = new Progress(10, { isTTY: false, write: (s: string) => lines.push(s) }, 0, () => t);
    const f = {
      label: '[norga-tanh seed 1]',
      task: 2,
      tasks: 5,
      epoch: 1,
      epochs: 3,
      step: 1,
      steps: 4,
      loss: 0.5,
    };
    t = 104; // 4 s for the first two steps -> 2 s/step, 8 steps left -> 16 s
    p.step(f);
    p.step({ ...f, step: 2, loss: 1.5 });
    expect(p.eta()).toBeCloseTo(16, 12);
    const last = lines.at(-1) ?? '';
    expect(last).toContain('[norga-tanh seed 1] task 2/5 epoch 1/3 step 2/4');
    // smoothed loss: 0.9·0.5 + 0.1·1.5 = 0.6
    expect(last).toContain('loss 0.6000');
    expect(last).toContain('ETA 0:16');
    expect(last).toContain(' 20%');
  });

  it('on a TTY redraws one line', () => {
    const out: string[] = [];
    const p = new Progress(2, { isTTY: true, columns: 200, write: (s: string) => out.push(s) }, 0, () => 0);
    p.step({ label: 'x', task: 1, tasks: 1, epoch: 1, epochs: 1, step: 1, steps: 2, loss: 1 });
    expect(out[0]?.startsWith('\r\x1b[2K')).toBe(true);
    expect(out[0]?.includes('\n')).toBe(false);
  });
});
