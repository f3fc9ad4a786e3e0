import * as vscode from 'vscode';
import { WorkerClient } from './workerClient';

/** The one worker client of the extension: dist/worker.js, its log lines in the BERT Lens channel. */
export function createWorkerClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): WorkerClient {
  return new WorkerClient({
    workerPath: context.asAbsolutePath('dist/worker.js'),
    log: (level, message) => log[level](message),
  });
}
