// The training entry (`@norga/vit/train`): steps and evaluation helpers over @norga/autograd.

export type { StepResult, TrainStep, TrainStepOptions } from './step.js';
export { countCorrect, createTrainStep, inference } from './step.js';
