export * from './command.js';
export * from './experiment.js';
export * from './fit.js';
export * from './generate.js';
export * from './init.js';
export * from './lbfgs.js';
export * from './model.js';
export * from './report.js';
// tQuantile975 and voronoiCells are the tests' window into the slope and loss: not public.
export { logLogSlope, type SlopeFit } from './slope.js';
export { type VoronoiLoss, voronoiLoss } from './voronoi.js';
