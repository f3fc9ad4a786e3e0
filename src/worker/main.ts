/*
 * Entry of the worker process (dist/worker.js), started by the host with child_process.fork.
 *
 * Why a child process and not a worker_thread: onnxruntime-node 1.30 aborts the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'") when a worker thread is
 * terminated while a session.run is in flight — inside VS Code that would take the extension host
 * down with it. A child process can be killed at any moment, and a native crash stays inside it.
 */
import { jobRegistry } from './jobs';
import { JobRunner } from './jobRunner';
import { ModelCache } from './modelCache';
import type { WorkerToHost } from './protocol';

function main(): void {
  const channel = process.send?.bind(process);
  if (!channel) {
    process.stderr.write('dist/worker.js is the BERT Lens worker: it is started by the extension with an IPC channel, not run directly.\n');
    process.exit(2);
  }
  const send = (message: WorkerToHost): void => {
    if (process.connected) channel(message);
  };
  const models = new ModelCache();
  const runner = new JobRunner(jobRegistry, send, models);
  process.on('message', (message: unknown) => runner.handle(message));
  // The host went away (VS Code closed, extension host crashed): nothing is left to report to.
  process.on('disconnect', () => {
    runner.cancelAll();
    void models.dispose().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
  send({ type: 'ready', pid: process.pid });
}

main();
