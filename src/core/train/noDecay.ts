/**
 * Parameter-name substrings exempt from weight decay (HF Trainer's get_decay_parameter_names).
 * On its own so the webview's form can show the default without bundling the optimizer.
 */
export const DEFAULT_NO_DECAY: readonly string[] = ['bias', 'LayerNorm.bias', 'LayerNorm.weight'];
