// Child processes for the e2e tooling. Long-lived ones (code-server) run in their own process group so
// that stopping them also stops what they started (extension host, pty host, file watcher); every
// such group is remembered and killed when this process exits, also on Ctrl-C or a failing test.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface RunResult {
  code: number;
  output: string;
}

export interface RunOptions extends SpawnOptions {
  /** Echo the child's output to this process's stderr as it comes (long installs). */
  echo?: boolean;
  timeoutMs?: number;
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a command to completion; rejects with the command line and the output's tail when it fails. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { echo = false, timeoutMs, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = timeoutMs
      ? setTimeout(() => {
          output += `\n[timed out after ${timeoutMs} ms]`;
          void stopProcessGroup(child);
        }, timeoutMs)
      : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? 128;
      if (exitCode === 0) resolve({ code: 0, output });
      else
        reject(
          new Error(
            `\`${[command, ...args].join(' ')}\` failed (${signal ? `signal ${signal}` : `exit ${exitCode}`}):\n${tail(output)}`,
          ),
        );
    });
  });
}

const liveGroups = new Set<ChildProcess>();

/** Spawns in a new process group and remembers it until it exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  liveGroups.add(child);
  child.on('exit', () => liveGroups.delete(child));
  child.on('error', () => liveGroups.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, SIGKILL to whatever is left after graceMs. */
export async function stopProcessGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(child) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(child)) signalGroup(child, 'SIGKILL');
  liveGroups.delete(child);
}

function killAllNow(): void {
  for (const child of liveGroups) signalGroup(child, 'SIGKILL');
  liveGroups.clear();
}

let exitHookInstalled = false;

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Kills every tracked group when this process exits, however it exits (a failing test, a thrown
 * error, process.exit). A signal would end Node without an 'exit' event, so unless the caller
 * handles signals itself (handleSignals: false), SIGINT/SIGTERM/SIGHUP also kill the groups and
 * exit with the usual 128 + signal number. Idempotent.
 */
export function installExitCleanup(options: { handleSignals?: boolean } = {}): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllNow);
  if (options.handleSignals === false) return;
  for (const [signal, number] of Object.entries(SIGNAL_NUMBERS)) {
    process.once(signal, () => {
      killAllNow();
      process.exit(128 + number);
    });
  }
}
