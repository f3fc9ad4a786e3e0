import type { JobRegistry } from '../jobHandler';
import { loadModelJob } from './loadModel';
import { rankUncertainJob } from './rankUncertain';
import { recognizeEntitiesJob } from './recognizeEntities';
import { runtimeInfoJob } from './runtimeInfo';
import { taskJobs } from './taskJobs';
import { trainJob } from './train';

/** Every job kind the worker runs; the type makes a kind of jobKinds.ts without a handler a compile error. */
export const jobRegistry: JobRegistry = {
  loadModel: loadModelJob,
  recognizeEntities: recognizeEntitiesJob,
  rankUncertain: rankUncertainJob,
  train: trainJob,
  runtimeInfo: runtimeInfoJob,
  ...taskJobs,
};
