import { labelList } from '../bert/config';
import { architectureOf } from '../bert/architecture';
import { maxSequenceLength } from '../bert/sequenceLength';
import { ARCHITECTURE_OF, headFromArchitecture, type HeadKind } from '../bert/heads';
import { checkpointFiles, inspectModelFolder, ModelFolderError, type ModelFolder } from '../runtime/modelFolder';
import type { FinetuneTask } from './types';

export interface BaseModelCheck {
  /** Problems that make fine-tuning from this folder impossible. */
  errors: string[];
  /** What the trainer will do differently from what the user may expect (a new head, new labels, capped lengths). */
  warnings: string[];
  /** The folder's labels (config.id2label), when it could be read. */
  labels: string[];
}

/** The trainer's HEAD_OF_TASK for the panel's tasks (not imported: the trainer would pull the ONNX writer into the extension host). */
const HEAD_OF_TASK: Record<FinetuneTask, HeadKind> = { ner: 'token-classification', classify: 'sequence-classification' };

const isGeneric = (labels: readonly string[]): boolean => labels.every((l) => /^LABEL_\d+$/.test(l));

/**
 * Whether a model folder can start a fine-tuning run for `task`, before anything is loaded: the
 * trainer needs model.safetensors (ONNX graphs are for inference), and it replaces a head the task
 * cannot use with a new one (as HF's from_pretrained does). `dataEntityLabels` are the labels of the
 * data (NER: entity types, classification: class names).
 */
export function checkBaseModelFolder(folder: ModelFolder, task: FinetuneTask, dataEntityLabels: readonly string[], maxSeqLength?: number): BaseModelCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  const labels = labelList(folder.config);
  if (!checkpointFiles(folder)) {
    errors.push(
      `${folder.dir} has no model.safetensors: fine-tuning needs the weights as safetensors (an ONNX graph cannot be trained). ` +
      'Pick a folder written by save_pretrained, a hub model that ships model.safetensors, or a BERT Lens checkpoint.',
    );
  }
  const wanted = HEAD_OF_TASK[task];
  const architecture = folder.config.architectures?.[0];
  const head = architecture ? headFromArchitecture(architecture) : undefined;
  if (head !== wanted) {
    // The head class of the folder's own architecture (a RoBERTa gets a RobertaForTokenClassification).
    const family = architectureOf(folder.config);
    const headClass = family.classes[wanted] ?? ARCHITECTURE_OF[wanted];
    warnings.push(
      `The model is ${architecture ? `a ${architecture}` : `a ${family.classes.base ?? 'BertModel'} without a task head`}: a new ${headClass} head is initialized ` +
      'for your labels (its weights start random; the encoder is kept).',
    );
  } else if (!isGeneric(labels)) {
    const known = new Set(task === 'ner' ? labels.map((l) => l.replace(/^[BI]-/, '')) : labels);
    const added = dataEntityLabels.filter((l) => !known.has(l));
    if (added.length > 0) {
      warnings.push(`Label${added.length === 1 ? '' : 's'} ${added.map((l) => `"${l}"`).join(', ')} ${added.length === 1 ? 'is' : 'are'} new to the model: the head is extended and ${added.length === 1 ? 'its rows start' : 'their rows start'} random.`);
    }
  }
  const longest = maxSequenceLength(folder.config);
  if (maxSeqLength !== undefined && maxSeqLength > longest) {
    const positions = folder.config.max_position_embeddings;
    warnings.push(`max_seq_length ${maxSeqLength} is more than the model's ${longest === positions ? `max_position_embeddings (${positions})` : `${longest} tokens (max_position_embeddings ${positions}, positions counted from padding_idx + 1)`}: ${longest} is used.`);
  }
  return { errors, warnings, labels };
}

/** checkBaseModelFolder for a folder on disk; a folder that cannot be read is an error naming the file. */
export async function checkBaseModel(dir: string, task: FinetuneTask, dataEntityLabels: readonly string[], maxSeqLength?: number): Promise<BaseModelCheck> {
  let folder: ModelFolder;
  try {
    folder = await inspectModelFolder(dir, { requireWeights: false });
  } catch (error) {
    if (error instanceof ModelFolderError) return { errors: [error.message], warnings: [], labels: [] };
    throw error;
  }
  return checkBaseModelFolder(folder, task, dataEntityLabels, maxSeqLength);
}
