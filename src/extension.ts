// activationProbe must stay the first import: it timestamps the start of bundle evaluation.
import { activationReport, bundleEvaluationStart } from './host/activationProbe';
import * as vscode from 'vscode';
import { ClassificationLink } from './host/annotation/acceptClassifications';
import { registerAnnotation, type AnnotationService } from './host/annotation/registerAnnotation';
import { registerShowRuntimeInfo } from './host/commands/showRuntimeInfo';
import { registerFinetune } from './host/finetune/registerFinetune';
import { EntityStore } from './host/ner/entityStore';
import { registerNer } from './host/ner/registerNer';
import { registerTasks } from './host/tasks/registerTasks';
import { registerUncertainty } from './host/uncertainty/registerUncertainty';
import { createWorkerClient } from './host/workerService';

const moduleEvaluationMs = performance.now() - bundleEvaluationStart;
let annotations: AnnotationService | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const activateStart = performance.now();
  const log = vscode.window.createOutputChannel('BERT Lens', { log: true });
  // The worker process starts on the first job, not here.
  const worker = createWorkerClient(context, log);
  context.subscriptions.push(log, registerShowRuntimeInfo(context, log, worker));
  const entities = new EntityStore();
  // Accept Classifications reads the results of the classification commands, registered below.
  const classifications = new ClassificationLink();
  const annotation = registerAnnotation(context, { log, entities, classifications });
  annotations = annotation.service;
  context.subscriptions.push(worker, ...registerNer(context, { client: worker, log, entities, annotations: annotation.tree }), ...annotation.disposables);
  context.subscriptions.push(...registerFinetune(context, { log, flushAnnotations: () => annotation.service.flush() }));
  context.subscriptions.push(...registerTasks(context, { client: worker, log, classifications }));
  context.subscriptions.push(...registerUncertainty(context, { client: worker, log }));
  log.info(activationReport(moduleEvaluationMs, performance.now() - activateStart));
}

/** Pending annotation saves are written before the extension host goes away. */
export function deactivate(): Promise<void> | undefined {
  return annotations?.flush();
}
