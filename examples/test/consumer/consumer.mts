// A library user's program, type-checked with strict settings, no DOM lib and skipLibCheck off: every public
// .d.ts of these packages must compile here (the test in ../packaging.test.ts runs tsc on this project).
import * as A from '@norga/autograd';
import * as D from '@norga/datasets';
import * as DB from '@norga/datasets/browser';
import * as T from '@norga/tensor';
import * as V from '@norga/vit';
import * as VN from '@norga/vit/node';
import * as VT from '@norga/vit/train';

const x: T.Tensor = T.zeros([2, 3]);
const layer = new A.Linear(3, 4);
const y: T.Tensor = layer.forward(x);
export const used = [A, D, DB, T, V, VN, VT, y];
