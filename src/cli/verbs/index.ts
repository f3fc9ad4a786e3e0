import type { Verb } from '../verb';
import { scheduleVerb } from './schedule';

/** Every verb of the CLI; each lives in its own file beside this one. */
export const verbs: Verb[] = [scheduleVerb];
