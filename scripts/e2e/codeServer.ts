// A code-server (a real VS Code in the browser) on 127.0.0.1 with its own user data, extensions and
// workspace folders, the extension installed from a .vsix, and nothing that reaches the network.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, spawnTracked, stopProcessGroup } from './processes';
import type { E2eTools } from './tools';

export interface CodeServerOptions {
  tools: E2eTools;
  vsixPath: string;
  /** Everything code-server writes goes below this folder (created if missing). */
  stateDir: string;
  /** Folder opened in the workbench. */
  workspaceDir: string;
  /** 0 picks a free port. */
  port?: number;
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** Base URL, e.g. http://127.0.0.1:41234/ */
  url: string;
  /** The URL that opens the workspace folder. */
  workspaceUrl: string;
  userDataDir: string;
  extensionsDir: string;
  logsDir: string;
  /** Output of code-server itself (not of VS Code's processes: those log below logsDir). */
  output(): string;
  /** Settles when code-server exits, with its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/**
 * Settings that keep a fresh profile quiet and offline: no trust prompt, no welcome page or
 * walkthrough, no update, gallery, telemetry or experiment requests.
 */
export const QUIET_OFFLINE_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.settings.enableNaturalLanguageSearch': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'npm.fetchOnlinePackageInfo': false,
  'typescript.surveys.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
}

function environment(tools: E2eTools, stateDir: string): NodeJS.ProcessEnv {
  return {
    ...tools.node24Env,
    // code-server keeps a config file and its own logs under these; keep them out of $HOME.
    XDG_CONFIG_HOME: path.join(stateDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(stateDir, 'xdg-data'),
    // An empty gallery (no serviceUrl) turns the marketplace off: no extension queries go out.
    EXTENSIONS_GALLERY: '{}',
  };
}

export async function installVsix(tools: E2eTools, vsixPath: string, stateDir: string): Promise<void> {
  const args = [
    tools.codeServerEntry,
    '--user-data-dir',
    path.join(stateDir, 'user-data'),
    '--extensions-dir',
    path.join(stateDir, 'extensions'),
    '--install-extension',
    vsixPath,
    '--force',
  ];
  const { output } = await run(tools.node24, args, { env: environment(tools, stateDir), timeoutMs: 180_000 });
  if (!/successfully installed/i.test(output)) {
    throw new Error(`code-server --install-extension ${vsixPath} did not report success:\n${output}`);
  }
}

function waitForListening(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const listening = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/?)/;
    const timer = setTimeout(() => finish(new Error(`code-server did not start listening within ${timeoutMs} ms`)), timeoutMs);
    const onData = (): void => {
      const match = listening.exec(output());
      if (match) finish(undefined, match[1]!.endsWith('/') ? match[1]! : `${match[1]}/`);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      finish(new Error(`code-server exited before listening (${signal ?? `exit ${code}`})`));
    const finish = (error: Error | undefined, url?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(new Error(`${error.message}. Its output:\n${output().trimEnd().split('\n').slice(-40).join('\n')}`));
      else resolve(url!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
}

async function waitForHealthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(new URL('healthz', url));
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server at ${url} did not answer /healthz within ${timeoutMs} ms (${lastProblem})`);
}

/** Installs the .vsix into a fresh extensions folder and starts code-server; fails with the reason. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const { tools, vsixPath, stateDir, workspaceDir } = options;
  const userDataDir = path.join(stateDir, 'user-data');
  const extensionsDir = path.join(stateDir, 'extensions');
  fs.rmSync(extensionsDir, { recursive: true, force: true });
  fs.mkdirSync(userDataDir, { recursive: true });
  writeJson(path.join(userDataDir, 'User', 'settings.json'), QUIET_OFFLINE_SETTINGS);
  // The config file is read instead of ~/.config/code-server/config.yaml; flags below win over it.
  const configFile = path.join(stateDir, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  await installVsix(tools, vsixPath, stateDir);

  const args = [
    tools.codeServerEntry,
    '--config',
    configFile,
    '--bind-addr',
    `127.0.0.1:${options.port ?? 0}`,
    '--auth',
    'none',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  const child = spawnTracked(tools.node24, args, { env: environment(tools, stateDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`code-server could not start: ${error.message}`))));

  try {
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    const url = await Promise.race([waitForListening(child, () => output, timeoutMs), spawnError]);
    await waitForHealthy(url, timeoutMs);
    return {
      url,
      // Slashes stay readable; everything else in the path is escaped.
      workspaceUrl: `${url}?folder=${encodeURIComponent(workspaceDir).replace(/%2F/g, '/')}`,
      userDataDir,
      extensionsDir,
      logsDir: path.join(userDataDir, 'logs'),
      output: () => output,
      exited,
      stop: () => stopProcessGroup(child),
    };
  } catch (error) {
    await stopProcessGroup(child);
    throw error;
  }
}
