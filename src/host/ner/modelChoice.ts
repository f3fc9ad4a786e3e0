import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../../core/util/userError';

/** The model a task will use, as the worker gets it and as the user sees it. */
export interface ModelChoice {
  kind: 'bundled' | 'folder' | 'hub';
  /** An absolute folder path or a hub id. */
  reference: string;
  /** For the status bar and hovers: "bundled (untrained demo)", "folder my-ner", "hub dslim/bert-base-NER". */
  description: string;
}

export class ModelSettingError extends UserError {
  override name = 'ModelSettingError';
}

export interface ModelChoiceContext {
  bundledDir: string;
  /** From models/manifest.json, e.g. "bundled (untrained demo)". */
  bundledDescription: string;
  /** The folder of the document's workspace; relative model paths resolve against it. */
  workspaceFolder: string | undefined;
  isDirectory(absolutePath: string): boolean;
  /** The setting the value comes from, for messages; default bertLens.ner.model. */
  settingName?: string;
}

/**
 * Interprets the model setting: empty = the bundled model; an absolute or `~` path = that folder;
 * `./x`, `../x` or a path with backslashes = a folder relative to the workspace; anything else
 * (`owner/name`) is a workspace folder when one exists at that path, else a hub id.
 */
export function chooseModel(setting: string, context: ModelChoiceContext): ModelChoice {
  const value = setting.trim();
  if (value === '') return { kind: 'bundled', reference: context.bundledDir, description: context.bundledDescription };
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) {
    const absolute = path.join(os.homedir(), value.slice(1));
    return { kind: 'folder', reference: absolute, description: `folder ${path.basename(absolute)}` };
  }
  if (path.isAbsolute(value) || /^[A-Za-z]:[\\/]/.test(value)) {
    return { kind: 'folder', reference: value, description: `folder ${path.basename(value)}` };
  }
  const explicitlyRelative = value.startsWith('.') || value.includes('\\');
  if (explicitlyRelative && !context.workspaceFolder) {
    throw new ModelSettingError(`${context.settingName ?? 'bertLens.ner.model'} is a relative path ("${value}"); open a workspace folder or use an absolute path`);
  }
  if (context.workspaceFolder) {
    const absolute = path.resolve(context.workspaceFolder, value);
    if (explicitlyRelative || context.isDirectory(absolute)) {
      return { kind: 'folder', reference: absolute, description: `folder ${path.basename(absolute)}` };
    }
  }
  return { kind: 'hub', reference: value, description: `hub ${value}` };
}
