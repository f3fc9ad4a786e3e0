// One scenario's world: a fresh copy of a workspace, code-server with the .vsix built by the global
// setup, and Chromium on the workbench. close() stops everything and keeps the logs as artifacts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inject } from 'vitest';
import { startCodeServer, type CodeServer } from '../../../scripts/e2e/codeServer';
import { ARTIFACTS_DIR, REPO_ROOT, SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import { installExitCleanup } from '../../../scripts/e2e/processes';
import { VsCodeLogs } from './logs';
import { Workbench } from './workbench';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };
/** The id VS Code knows the extension by. */
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

export interface SessionOptions {
  /** Names the artifacts folder (test/e2e/artifacts/<scenario>/). */
  scenario: string;
  /** Folder copied as the workspace; samples/workspace by default. */
  workspaceSource?: string;
}

export interface E2eSession {
  workbench: Workbench;
  server: CodeServer;
  logs: VsCodeLogs;
  /** The workspace folder the workbench has open (a copy: scenarios may write to it). */
  workspaceDir: string;
  artifactsDir: string;
  close(): Promise<void>;
}

export async function startSession(options: SessionOptions): Promise<E2eSession> {
  installExitCleanup();
  const tools = inject('e2eTools');
  const vsixPath = inject('vsixPath');
  const artifactsDir = path.join(ARTIFACTS_DIR, options.scenario);
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `bert-lens-e2e-${options.scenario}-`));
  const workspaceDir = path.join(stateDir, 'workspace');
  fs.cpSync(options.workspaceSource ?? SAMPLE_WORKSPACE_DIR, workspaceDir, { recursive: true });

  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  const close = async (): Promise<void> => {
    await workbench?.close().catch(() => undefined);
    await server?.stop();
    if (server) {
      new VsCodeLogs(server.logsDir).copyTo(path.join(artifactsDir, 'logs'));
      fs.writeFileSync(path.join(artifactsDir, 'code-server.log'), server.output());
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    server = await startCodeServer({ tools, vsixPath, stateDir, workspaceDir });
    workbench = await Workbench.open(server.workspaceUrl, {
      chromiumPath: tools.chromium,
      artifactsDir,
      scratchDir: path.join(stateDir, 'chromium'),
    });
    return { workbench, server, logs: new VsCodeLogs(server.logsDir), workspaceDir, artifactsDir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
