import * as vscode from 'vscode';
import { ort as loadOrt } from '../../core/runtime/ort';

export const SHOW_RUNTIME_INFO_COMMAND = 'bertLens.showRuntimeInfo';

/** What the diagnostic reports; kept separate from the UI so the text has one definition. */
export interface RuntimeInfo {
  extensionVersion: string;
  ortVersion: string;
  backends: string[];
  platform: string;
  nodeVersion: string;
}

export function formatRuntimeInfo(info: RuntimeInfo): string {
  // The runtime first: a toast shows only the start of a long message.
  return (
    `onnxruntime-node ${info.ortVersion} loaded · BERT Lens ${info.extensionVersion} · ` +
    `${info.platform} · Node ${info.nodeVersion} · backends: ${info.backends.join(', ') || 'none'}`
  );
}

function collectRuntimeInfo(extensionVersion: string): RuntimeInfo {
  // Loaded here, on first use, never at activation: the native addon costs ~100 ms and is only
  // needed once a model runs. listSupportedBackends() answers from the native binding, so a
  // successful call proves the platform binary inside the .vsix loads in this extension host.
  const ort = loadOrt();
  return {
    extensionVersion,
    ortVersion: ort.env.versions.node ?? ort.env.versions.common,
    backends: ort.listSupportedBackends().map((backend) => backend.name),
    platform: `${process.platform}-${process.arch}`,
    nodeVersion: process.versions.node,
  };
}

export function registerShowRuntimeInfo(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  const extensionVersion = String((context.extension.packageJSON as { version?: unknown }).version ?? 'unknown');
  return vscode.commands.registerCommand(SHOW_RUNTIME_INFO_COMMAND, () => {
    try {
      const message = formatRuntimeInfo(collectRuntimeInfo(extensionVersion));
      log.info(message);
      void vscode.window.showInformationMessage(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      log.error(`onnxruntime-node failed to load: ${reason}`);
      void vscode.window.showErrorMessage(`BERT Lens: onnxruntime-node failed to load: ${reason}`);
    }
  });
}
