// The quick start's main job: BERT Lens installed from a freshly built .vsix into a real VS Code
// (code-server) on 127.0.0.1, the sample workspace open, running until Ctrl-C.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCodeServer, type CodeServer } from './codeServer';
import { SAMPLE_WORKSPACE_DIR, cacheDir } from './layout';
import { packageVsix } from './packageVsix';
import { installExitCleanup } from './processes';
import { ensureE2eTools } from './tools';

function requestedPort(): number {
  const flag = process.argv.indexOf('--port');
  const value = flag >= 0 ? process.argv[flag + 1] : process.env.BERT_LENS_DEMO_PORT;
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, got "${value}"`);
  return port;
}

async function main(): Promise<void> {
  // Ctrl-C during setup exits at once (the exit hook kills any install under way); once code-server
  // runs, it is stopped gracefully first.
  installExitCleanup({ handleSignals: false });
  const running: { server?: CodeServer } = {};
  let stopping = false;
  const onSignal = (name: string, code: number): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[demo] ${name}: stopping`);
    const server = running.server;
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(server ? 0 : code));
  };
  process.on('SIGINT', () => onSignal('Ctrl-C', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));

  const requested = requestedPort(); // a bad --port fails before minutes of setup
  console.log('[demo] preparing VS Code (code-server) and Node 24; the first run takes a few minutes');
  const tools = await ensureE2eTools();
  console.log('[demo] building and packaging the extension');
  const vsix = await packageVsix();
  console.log(`[demo] ${path.basename(vsix.path)}: ${(vsix.sizeBytes / 1e6).toFixed(2)} MB`);

  // The demo's workspace and VS Code profile persist between runs, so labels and settings survive.
  const stateDir = path.join(cacheDir(), 'demo');
  const workspaceDir = path.join(stateDir, 'workspace');
  if (!fs.existsSync(workspaceDir)) fs.cpSync(SAMPLE_WORKSPACE_DIR, workspaceDir, { recursive: true });
  const server = await startCodeServer({ tools, vsixPath: vsix.path, stateDir, workspaceDir, port: requested });
  running.server = server;
  const port = new URL(server.url).port;

  console.log(
    [
      '',
      'BERT Lens is running in VS Code (code-server). Open this URL in a browser on this machine:',
      '',
      `    ${server.workspaceUrl}`,
      '',
      `Workspace: ${workspaceDir}`,
      `It listens on 127.0.0.1 only; from another machine: ssh -L ${port}:127.0.0.1:${port} <this host>`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  const code = await server.exited;
  if (!stopping) {
    console.error(`[demo] code-server exited unexpectedly (${code}). Its output:\n${server.output()}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
