import { ConfigError } from '../core/bert/config';
import { AgreementInputError } from '../core/data/agreementInput';
import { HubError } from '../core/runtime/hub/hubError';
import { HeadMismatchError } from '../core/runtime/loadModel';
import { ModelFolderError } from '../core/runtime/modelFolder';
import { SafetensorsError } from '../core/runtime/safetensors';
import { StateDictKeyError } from '../core/runtime/stateDictKeys';
import { WeightsFormatError } from '../core/runtime/weights/zipReader';
import { TaskInputError } from '../core/tasks/shared/taskModel';
import { ScheduleError } from '../core/train/schedules';
import { TrainingInputError } from '../core/train/trainer';
import { DataError } from '../core/train/trainingData';
import { TrainingArgumentsError } from '../core/train/trainingArguments';
import { TextFileError } from '../core/util/textFile';
import { UnwritableFolderError } from '../core/util/writableFolder';
import { UsageError } from './args';

/**
 * The one exit-code convention of every verb (also printed by `bert-lens --help`):
 * 0 success; 2 bad usage or bad input, found before anything ran (unknown flag, missing or
 * undecodable file, data with no usable example, a model folder that is missing, not a folder, or
 * not a usable model of the task, an unknown hub id); 1 a failure while running (network, ONNX
 * Runtime, training diverging, writing the result).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

export const EXIT_CODES_USAGE = `exit codes: 0 success; 2 bad usage or bad input (options, files, data, a missing or
unusable model folder, an unknown hub id); 1 a failure while running (network, runtime, training).`;

const BAD_INPUT_ERRORS = [
  UsageError, TextFileError, DataError, TaskInputError, ModelFolderError, HeadMismatchError, ConfigError, StateDictKeyError,
  SafetensorsError, WeightsFormatError, TrainingArgumentsError, TrainingInputError, ScheduleError, UnwritableFolderError,
  AgreementInputError,
];

export function exitCodeFor(error: unknown): number {
  if (BAD_INPUT_ERRORS.some((kind) => error instanceof kind)) return EXIT_BAD_INPUT;
  // The id names nothing on the hub: a wrong argument. Network trouble stays a failure (it may pass).
  if (error instanceof HubError && (error.code === 'repo-not-found' || error.code === 'revision-not-found')) return EXIT_BAD_INPUT;
  return EXIT_FAILURE;
}

/** True for errors whose stack helps nobody: the message says what to fix. */
export function isBadInput(error: unknown): boolean {
  return exitCodeFor(error) === EXIT_BAD_INPUT;
}
