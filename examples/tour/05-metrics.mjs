#!/usr/bin/env node
/**
 * Tour stop 7's last step: what `norga run` reports. After each task t the learner is tested on every task seen
 * so far, filling acc[i][t]; FAA, CAA and FFM are averages over that matrix. A 3-task example, the library's
 * numbers against the sums written out. Run: node examples/tour/05-metrics.mjs
 */
import { continualMetrics } from '@norga/norga';

const NaN_ = Number.NaN; // task i is not seen before step i
const acc = [
  [0.99, 0.9, 0.8], // task 0 after training tasks 0, 1, 2: forgotten a little at each step
  [NaN_, 0.95, 0.85],
  [NaN_, NaN_, 0.97],
];

export const metrics = {
  library: continualMetrics(acc),
  byHand: {
    faa: (0.8 + 0.85 + 0.97) / 3, // the last column
    caa: (0.99 + (0.9 + 0.95) / 2 + (0.8 + 0.85 + 0.97) / 3) / 3, // each step's mean over the tasks seen
    ffm: (0.99 - 0.8 + (0.95 - 0.85)) / 2, // each old task's best earlier accuracy minus its final one
  },
};

for (const k of ['faa', 'caa', 'ffm'])
  console.log(k.toUpperCase(), metrics.library[k].toFixed(6), 'by hand', metrics.byHand[k].toFixed(6));
