/**
 * Just enough of the `vscode` module for NerRunner, recording what the user would see. Tests
 * install it with vi.mock('vscode', () => fakeVscode.module).
 */
export interface Shown {
  kind: 'info' | 'warning' | 'error' | 'status';
  message: string;
  actions: string[];
}

export interface ProgressRun {
  title: string;
  location: number;
  cancellable: boolean;
  reports: Array<{ message?: string; increment?: number }>;
  cancel(): void;
}

export function createFakeVscode() {
  const shown: Shown[] = [];
  const progressRuns: ProgressRun[] = [];
  const executed: unknown[][] = [];
  const message = (kind: Shown['kind']) => (text: string, ...actions: string[]) => {
    shown.push({ kind, message: text, actions });
    return Promise.resolve(undefined);
  };
  const module = {
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    window: {
      showInformationMessage: message('info'),
      showWarningMessage: message('warning'),
      showErrorMessage: message('error'),
      setStatusBarMessage: (text: string) => {
        shown.push({ kind: 'status', message: text, actions: [] });
        return { dispose() {} };
      },
      withProgress: <T>(options: { title: string; location: number; cancellable?: boolean }, task: (progress: unknown, token: unknown) => Promise<T>): Promise<T> => {
        const listeners: Array<() => void> = [];
        const run: ProgressRun = {
          title: options.title, location: options.location, cancellable: options.cancellable ?? false, reports: [],
          cancel: () => listeners.forEach((listener) => listener()),
        };
        progressRuns.push(run);
        const token = { onCancellationRequested: (listener: () => void) => { listeners.push(listener); return { dispose() {} }; } };
        return task({ report: (value: { message?: string; increment?: number }) => run.reports.push(value) }, token);
      },
    },
    workspace: { asRelativePath: (uri: { path: string }) => uri.path.split('/').pop() },
    commands: { executeCommand: (...args: unknown[]) => { executed.push(args); return Promise.resolve(); } },
  };
  return { module, shown, progressRuns, executed };
}

/** A text document whose text the test edits; `edit` returns the change as VS Code reports it. */
export class FakeDocument {
  isClosed = false;
  readonly uri: { path: string; toString(): string };
  constructor(private text: string, name = 'doc.txt') {
    this.uri = { path: `/ws/${name}`, toString: () => `file:///ws/${name}` };
  }
  getText(): string {
    return this.text;
  }
  edit(rangeOffset: number, rangeLength: number, text: string) {
    this.text = this.text.slice(0, rangeOffset) + text + this.text.slice(rangeOffset + rangeLength);
    return { rangeOffset, rangeLength, text };
  }
}

/** The instance the tests' vi.mock factory returns (one per test file: vitest isolates files). */
export const fakeVscode = createFakeVscode();
