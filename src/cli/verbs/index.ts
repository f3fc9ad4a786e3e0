import type { Verb } from '../verb';
import { nerVerb } from './ner';
import { scheduleVerb } from './schedule';

/** Every verb of the CLI; each lives in its own file beside this one. */
export const verbs: Verb[] = [nerVerb, scheduleVerb];
