/** One `bert-lens <verb>`: its usage line and its implementation. Output goes through `io`. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Verb {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Throw UsageError (or a core input error) for bad input: main prints one line and exits 2 (see exitCodes.ts). */
  run(argv: string[], io: CliIO): Promise<number>;
}
