import * as path from 'node:path';
import type { ProviderProbe } from '../../core/runtime/executionProviders';
import { chooseModel, type ModelChoice } from '../ner/modelChoice';
import { chooseTaskModel, TASK_MODELS, type TaskModelContext, type TaskName } from '../tasks/shared/taskModels';
import type { SettingReader } from '../tasks/shared/taskSettings';

/** One task's model as its setting resolves now; `problem` when the setting names none. */
export interface ActiveModel {
  task: string;
  setting: string;
  model?: string;
  problem?: string;
}

export interface RuntimeReport {
  extensionVersion: string;
  ortVersion: string;
  platform: string;
  nodeVersion: string;
  providers: ProviderProbe[];
  models: ActiveModel[];
}

const NER_SETTING = 'bertLens.ner.model';

/** The model each command would use, read from the settings the same way the commands read them. */
export function activeModels(read: SettingReader, context: TaskModelContext): ActiveModel[] {
  const value = (name: string): string => {
    const setting = read(name);
    return typeof setting === 'string' ? setting : '';
  };
  const row = (task: string, setting: string, choose: () => ModelChoice): ActiveModel => {
    try {
      const chosen = choose();
      return { task, setting, model: chosen.kind === 'bundled' ? chosen.description : `${chosen.description} (${chosen.reference})` };
    } catch (error) {
      return { task, setting, problem: error instanceof Error ? error.message : String(error) };
    }
  };
  const ner = row('entity recognition', NER_SETTING, () => chooseModel(value(NER_SETTING), {
    ...context, bundledDir: path.join(context.bundledRoot, 'ner'), bundledDescription: context.bundledDescription('ner'), settingName: NER_SETTING,
  }));
  const tasks = (Object.keys(TASK_MODELS) as TaskName[]).map((task) => {
    const info = TASK_MODELS[task];
    return row(info.title, info.setting, () => chooseTaskModel(task, value(info.setting), context));
  });
  return [ner, ...tasks];
}

/** Table cells hold user settings and ORT's messages: no pipes or line breaks may break the table. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/[<>*_`[\]]/g, (c) => `\\${c}`);
}

/**
 * Show Runtime Info as a markdown document: the versions, each execution provider ONNX Runtime
 * lists with whether it worked when tried here, and the model every command would use.
 */
export function runtimeReportMarkdown(report: RuntimeReport): string {
  const usable = report.providers.filter((p) => p.usable).map((p) => p.name);
  const lines = [
    '# BERT Lens runtime',
    '',
    `BERT Lens ${cell(report.extensionVersion)} · onnxruntime-node ${cell(report.ortVersion)} · ${cell(report.platform)} · Node ${cell(report.nodeVersion)}`,
    '',
    '## Execution providers',
    '',
    `Usable here: **${usable.length > 0 ? usable.join(', ') : 'none'}**. BERT Lens runs its models on the CPU provider.`,
    '',
    '| provider | usable here | why not |',
    '|---|---|---|',
    ...report.providers.map((p) => `| ${cell(p.name)} | ${p.usable ? 'yes' : 'no'} | ${p.usable ? '' : cell(p.reason ?? '')} |`),
    '',
    'How this is known: ONNX Runtime lists every provider its build knows; each was tried by creating a session on a',
    'one-operator model with only that provider and running it once in the worker. "yes" means the provider registered',
    'and computed the right number, not that every BERT operator runs on it.',
    '',
    '## Model of each command',
    '',
    '| task | setting | model |',
    '|---|---|---|',
    ...report.models.map((m) => `| ${cell(m.task)} | \`${m.setting}\` | ${m.model !== undefined ? cell(m.model) : `none: ${cell(m.problem ?? '')}`} |`),
    '',
  ];
  return lines.join('\n');
}

/** One line for the output channel. */
export function runtimeReportLine(report: RuntimeReport): string {
  const providers = report.providers.map((p) => `${p.name} ${p.usable ? 'usable' : 'not usable'}`).join(', ');
  return `onnxruntime-node ${report.ortVersion} · BERT Lens ${report.extensionVersion} · ${report.platform} · Node ${report.nodeVersion} · providers: ${providers || 'none'}`;
}

/** The short notification beside the document: the runtime and the providers that work, nothing that a toast would cut off. */
export function runtimeReportToast(report: RuntimeReport): string {
  const usable = report.providers.filter((p) => p.usable).map((p) => p.name);
  return `BERT Lens: onnxruntime-node ${report.ortVersion} on ${report.platform}; usable providers: ${usable.join(', ') || 'none'} (details in the opened document)`;
}
