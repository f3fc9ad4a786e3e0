// VS Code's logs on disk (below --user-data-dir/logs): the extension host's own log and the log
// files of extensions' LogOutputChannels, which code-server writes on the server side.
import * as fs from 'node:fs';
import * as path from 'node:path';

export class VsCodeLogs {
  constructor(readonly logsDir: string) {}

  /** Every *.log file below the logs folder. */
  files(): string[] {
    if (!fs.existsSync(this.logsDir)) return [];
    return (fs.readdirSync(this.logsDir, { recursive: true, encoding: 'utf8' }) as string[])
      .filter((file) => file.endsWith('.log'))
      .map((file) => path.join(this.logsDir, file));
  }

  /** Concatenated text of the log files whose path matches. */
  read(pathPattern: RegExp): string {
    return this.files()
      .filter((file) => pathPattern.test(file))
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
  }

  extensionHostLog(): string {
    return this.read(/exthost\.log$/);
  }

  /** Polls the matching files until the pattern shows up (logs are flushed asynchronously). */
  async waitFor(pattern: RegExp, pathPattern = /./, timeoutMs = 15_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.read(pathPattern));
      if (match) return match;
      if (Date.now() > deadline) {
        throw new Error(`No line matching ${pattern} in ${pathPattern} below ${this.logsDir} within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Extension host log lines that report an error in the given extension (id publisher.name). */
  extensionErrors(extensionId: string): string[] {
    const id = extensionId.toLowerCase();
    return this.extensionHostLog()
      .split('\n')
      .filter((line) => line.toLowerCase().includes(id))
      .filter((line) => /\[error\]|failed|exception/i.test(line));
  }

  /** Copies the logs folder (for a failed run's artifacts). */
  copyTo(destination: string): void {
    if (fs.existsSync(this.logsDir)) fs.cpSync(this.logsDir, destination, { recursive: true });
  }
}
