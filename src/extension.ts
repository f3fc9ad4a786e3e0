// activationProbe must stay the first import: it timestamps the start of bundle evaluation.
import { activationReport, bundleEvaluationStart } from './host/activationProbe';
import * as vscode from 'vscode';
import { registerShowRuntimeInfo } from './host/commands/showRuntimeInfo';
import { registerNer } from './host/ner/registerNer';
import { createWorkerClient } from './host/workerService';

const moduleEvaluationMs = performance.now() - bundleEvaluationStart;

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const log = vscode.window.createOutputChannel('BERT Lens', { log: true });
  context.subscriptions.push(log, registerShowRuntimeInfo(context, log));
  // The worker process starts on the first job, not here.
  const worker = createWorkerClient(context, log);
  context.subscriptions.push(worker, ...registerNer(context, { client: worker, log }));
  log.info(activationReport(moduleEvaluationMs, performance.now() - activateStart));
}

export function deactivate(): void {}
