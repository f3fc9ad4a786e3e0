"""Reference orders for HF `group_by_length`, from transformers/src/transformers/trainer_pt_utils.py.

get_length_grouped_indices below is HF's function verbatim except for its first line: HF draws
`indices = torch.randperm(len(lengths), generator=generator)`; here the permutation is an input, so
the test can hand ours the same one. Regenerate with (Debian python3-torch; not needed by npm test):

    /usr/bin/python3 scripts/reference/make_length_grouping_refs.py > test/fixtures/train/length_grouping.json
"""

import json
import random

import torch


def get_length_grouped_indices(lengths, batch_size, permutation, mega_batch_mult=None):
    # We need to use torch for the random part as a distributed sampler will set the random seed for torch.
    if mega_batch_mult is None:
        mega_batch_mult = min(len(lengths) // (batch_size * 4), 50)
        # Just in case, for tiny datasets
        if mega_batch_mult == 0:
            mega_batch_mult = 1

    # We need to use torch for the random part as a distributed sampler will set the random seed for torch.
    indices = torch.tensor(permutation)
    megabatch_size = mega_batch_mult * batch_size
    megabatches = [indices[i : i + megabatch_size].tolist() for i in range(0, len(lengths), megabatch_size)]
    megabatches = [sorted(megabatch, key=lambda i: lengths[i], reverse=True) for megabatch in megabatches]

    # The rest is to get the biggest batch first.
    # Since each megabatch is sorted by descending length, the longest element is the first
    megabatch_maximums = [lengths[megabatch[0]] for megabatch in megabatches]
    max_idx = torch.argmax(torch.tensor(megabatch_maximums)).item()
    # Switch to put the biggest element of the group first
    megabatches[0][0], megabatches[max_idx][0] = megabatches[max_idx][0], megabatches[0][0]

    return [i for megabatch in megabatches for i in megabatch]


def main():
    rng = random.Random(7)
    cases = []
    # Small and large sets, batch sizes that do and do not divide them, many ties (short texts).
    for n, batch_size, max_len in [(1, 8, 10), (7, 8, 5), (50, 4, 12), (333, 8, 40), (1000, 16, 64), (3000, 32, 128), (2500, 3, 6)]:
        lengths = [rng.randint(3, max_len) for _ in range(n)]
        permutation = list(range(n))
        rng.shuffle(permutation)
        order = get_length_grouped_indices(lengths, batch_size, permutation)
        cases.append({"lengths": lengths, "batch_size": batch_size, "permutation": permutation, "order": order})
    print(json.dumps({"source": "transformers trainer_pt_utils.get_length_grouped_indices", "cases": cases}))


if __name__ == "__main__":
    main()
