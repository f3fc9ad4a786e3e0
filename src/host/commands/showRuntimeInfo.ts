import * as path from 'node:path';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { bundledDescription, readBundledManifest, type BundledManifest } from '../ner/modelManifest';
import type { WorkerClient } from '../workerClient';
import { failureLogEntry } from '../failureLog';
import { activeModels, runtimeReportLine, runtimeReportMarkdown, runtimeReportToast } from './runtimeReport';

export const SHOW_RUNTIME_INFO_COMMAND = 'bertLens.showRuntimeInfo';

function isDirectory(absolutePath: string): boolean {
  try {
    return statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}

/**
 * "Show Runtime Info": an untitled markdown document (a toast cut the line off) with the worker's
 * ONNX Runtime, the execution providers that work here (each tried, in the worker) and the model
 * each command would use.
 */
export function registerShowRuntimeInfo(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, client: WorkerClient): vscode.Disposable {
  const extensionVersion = String((context.extension.packageJSON as { version?: unknown }).version ?? 'unknown');
  let manifest: BundledManifest | undefined;
  return vscode.commands.registerCommand(SHOW_RUNTIME_INFO_COMMAND, async () => {
    try {
      manifest ??= await readBundledManifest(context.asAbsolutePath(path.join('models', 'manifest.json')), (problem) => log.warn(`bundled model manifest: ${problem}`));
      const runtime = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'BERT Lens: trying the execution providers' },
        () => client.run('runtimeInfo', {}),
      );
      const configuration = vscode.workspace.getConfiguration();
      const folder = vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor?.document.uri ?? vscode.Uri.file('/')) ?? vscode.workspace.workspaceFolders?.[0];
      const models = activeModels((name) => configuration.get(name), {
        bundledRoot: context.asAbsolutePath('models'),
        bundledDescription: (name) => bundledDescription(manifest, name),
        workspaceFolder: folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined,
        isDirectory,
      });
      const report = { extensionVersion, ...runtime, models };
      log.info(runtimeReportLine(report));
      const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: runtimeReportMarkdown(report) });
      await vscode.window.showTextDocument(document, { preview: true });
      void vscode.window.showInformationMessage(runtimeReportToast(report));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const entry = failureLogEntry(`BERT Lens: runtime info failed: onnxruntime-node in the worker: ${reason}`, error);
      log[entry.level](entry.text);
      void vscode.window.showErrorMessage(`BERT Lens: onnxruntime-node failed to load in the worker: ${reason}`);
    }
  });
}
