import { MessageError, parseWebviewMessage, type HostMessage } from '../../../webview/protocol';
import { JOB_UPDATE_MS } from './panelSession';
import type { LogLevel, TrainingController } from './trainingController';

export interface StatusHost {
  openPanel(): void;
  log(level: LogLevel, message: string): void;
}

/**
 * The sidebar's compact status: the job as the controller knows it (current run, progress, last
 * metrics), and "Open panel". It acts on nothing else: every other message is ignored and logged,
 * so the small view cannot start, delete or point Recognize Entities at anything.
 */
export class StatusSession {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly post: (message: HostMessage) => void,
    private readonly controller: Pick<TrainingController, 'view' | 'onDidChange'>,
    private readonly host: StatusHost,
  ) {
    this.subscription = controller.onDidChange(() => this.schedule());
  }

  receive(raw: unknown): void {
    let message;
    try {
      message = parseWebviewMessage(raw);
    } catch (error) {
      this.host.log('warn', `fine-tune status: ignored a message (${error instanceof MessageError ? error.message : String(error)})`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.send();
        return;
      case 'openPanel':
        this.host.openPanel();
        return;
      case 'problem':
        this.host.log('warn', `fine-tune panel: ${message.text}`);
        return;
      default:
        this.host.log('warn', `fine-tune status: ignored "${message.type}" (only the panel acts on it)`);
    }
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.disposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, JOB_UPDATE_MS);
  }

  private send(): void {
    if (!this.disposed) this.post({ type: 'job', job: this.controller.view });
  }
}
