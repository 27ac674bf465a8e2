// The continual-learning comparison the page runs in its worker, as plain JavaScript over @norga/norga's
// browser entry: for one seed, the task-identity stage, then each method task by task (train its prefix and
// head, evaluate every seen task with the inferred task's prefix), in the order and with the functions
// `norga run` uses (runner.ts, method-run.ts) less its run directory, so the accuracy matrices are the same.
// Progress goes to `post` as plain objects (the worker passes them to postMessage). The prefix attention mass of
// task t is taken right after task t (norga run takes it after the last task): the same numbers when α, τ stop
// learning after task 1 (gateLearning 'first-task', the default), since a task's prefix is final once it is done.

/**
 * @param {any} N the @norga/norga module (its browser entry is enough)
 * @param {{ backbone: any, data: any, cfg: any, seed: number, post?: (message: object) => void }} o
 *   cfg: a RunConfig (its `methods` are run; the upper bound's joint pipeline is not)
 * @returns {Promise<Record<string, { acc: number[][], gate: Record<string, number>, tii: number[], mass: number[][] }>>}
 *   mass[task][layer]: the prefix attention mass (norga run's prefixMass)
 */
export async function runComparison(N, { backbone, data, cfg, seed, post = () => {} }) {
  const methods = cfg.methods.map((m) => N.METHOD_SPECS[m]);
  const joint = methods.find((m) => m.pipeline === 'joint');
  if (joint) throw new Error(`${joint.name}: the joint pipeline (upper bound) does not run in the page`);
  const T = data.tasks.length;
  const stepReport = (method, task) => (phase, loss, step, steps, epoch, epochs) =>
    post({ type: 'step', method, task, phase, loss, step, steps, epoch, epochs });
  const tii = methods.some((m) => m.pipeline === 'hide')
    ? await N.runTiiStage(
        backbone,
        data,
        cfg,
        seed,
        () => {},
        (task) => stepReport('tii', task),
      )
    : undefined;
  if (tii) post({ type: 'tii', accuracy: tii.accuracy });
  const results = {};
  for (const method of methods) {
    const learner = N.createLearner(method, cfg, backbone, data.numClasses, seed);
    try {
      const acc = N.emptyAccuracyMatrix(T);
      const seen = [];
      const mass = [];
      for (const task of data.tasks) {
        seen.push(...task.classes);
        await learner.trainTask(
          task.index,
          data.train,
          task.train,
          task.classes,
          seen,
          stepReport(method.name, task.index),
        );
        await N.evaluateSeen(learner, data, method, tii?.preds[task.index], task.index, seen, acc);
        post({ type: 'accuracy', method: method.name, task: task.index, acc });
        if (task.index === 0) post({ type: 'gate', method: method.name, gate: await learner.gateValues() });
        mass.push((await N.taskPrefixMass(learner, data, task.index)).mass);
        post({ type: 'mass', method: method.name, task: task.index, mass: mass[task.index] });
      }
      results[method.name] = {
        acc,
        gate: await learner.gateValues(),
        tii: method.pipeline === 'hide' ? tii.accuracy : [],
        mass,
      };
    } finally {
      learner.dispose();
    }
  }
  return results;
}
