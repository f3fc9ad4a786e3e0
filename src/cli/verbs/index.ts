import type { Verb } from '../verb';
import { agreementVerb } from './agreement';
import { choiceVerb } from './choice';
import { classifyVerb } from './classify';
import { evaluateVerb } from './evaluate';
import { fillMaskVerb } from './fillMask';
import { generateVerb } from './generate';
import { nerVerb } from './ner';
import { nspVerb } from './nsp';
import { qaVerb } from './qa';
import { scheduleVerb } from './schedule';
import { trainVerb } from './train';

/** Every verb of the CLI; each lives in its own file beside this one. */
export const verbs: Verb[] = [nerVerb, qaVerb, classifyVerb, fillMaskVerb, nspVerb, generateVerb, choiceVerb, scheduleVerb, trainVerb, evaluateVerb, agreementVerb];
