/** The engine's public surface, and its installation into `@norga/tensor` (once, on import). */
import { installTensorMethods } from './augment.js';
import { installDisposeHook } from './leaf.js';
import { installRecorder } from './record.js';

installRecorder();
installDisposeHook();
installTensorMethods();

export { type BackwardOptions, backward } from './backward.js';
export { type GradOptions, grad, valueAndGrad } from './functional.js';
export { liveNodeCount } from './graph.js';
export { detach, gradOf, isLeaf, requiresGrad, requiresGrad_, setGrad } from './leaf.js';
export { enableGrad, isGradEnabled, noGrad } from './mode.js';
