/** The engine's public surface, and its installation into `@norga/tensor` (once, on import). */
import { installTensorMethods } from './augment.js';
import { installDisposeHook } from './leaf.js';
import { installRecorder } from './record.js';

installRecorder();
installDisposeHook();
installTensorMethods();

export { backward, type BackwardOptions } from './backward.js';
export { grad, valueAndGrad, type GradOptions } from './functional.js';
export { liveNodeCount } from './graph.js';
export { detach, gradOf, isLeaf, requiresGrad, requiresGrad_, setGrad } from './leaf.js';
export { enableGrad, isGradEnabled, noGrad } from './mode.js';
