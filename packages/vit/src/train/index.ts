// The training entry (`@norga/vit/train`): steps and evaluation helpers over @norga/autograd.
export { countCorrect, createTrainStep, inference } from './step.js';
export type { StepResult, TrainStep, TrainStepOptions } from './step.js';
