#!/usr/bin/python3
"""SentencePiece's own encodings of the varied test corpus, as fixtures for our .model conversion.

Trains small SentencePiece models with the sentencepiece library itself (Debian python3-sentencepiece
0.1.97, seeded, one thread), and writes for each the .model file and sentencepiece's encode of every
corpus string (ids and pieces, gzipped JSON). test/unit/tokenizer/sentencepieceReference.test.ts converts the
.model files as transformers' convert_slow_tokenizer.py does and must give the same ids and pieces.

  unigram-nmt.model       Unigram, spm's default normalization nmt_nfkc (so a precompiled_charsmap is stored)
  bpe-nmt.model           BPE, nmt_nfkc
  unigram-identity.model  Unigram, identity normalization (no charsmap)

Regenerate (the texts come from the TypeScript corpus generator):
  npx tsx test/fixtures/sentencepiece/dumpCorpus.ts /tmp/spm-work
  /usr/bin/python3 scripts/reference/sentencepiece_reference.py /tmp/spm-work test/fixtures/sentencepiece
"""
import gzip
import hashlib
import json
import os
import sys
import unicodedata

import sentencepiece as spm

MODELS = {
    'unigram-nmt': dict(model_type='unigram', normalization_rule_name='nmt_nfkc'),
    'bpe-nmt': dict(model_type='bpe', normalization_rule_name='nmt_nfkc'),
    'unigram-identity': dict(model_type='unigram', normalization_rule_name='identity'),
}
VOCAB_SIZE = 1000


def corpus_digest(texts):
    """sha256 of the UTF-8 texts joined by NUL: the test recomputes it to be sure it encodes the same corpus."""
    return hashlib.sha256('\0'.join(texts).encode('utf-8')).hexdigest()


def first_match_reduced(text):
    """The text as HF tokenizers' Precompiled normalizer sees it, where it differs from sentencepiece.

    That normalizer looks a grapheme shorter than 6 UTF-8 bytes up whole and replaces it with the first
    (shortest) charsmap entry that prefixes it, dropping the rest ("o\u0302\u0300" -> "ô"); sentencepiece
    takes the longest match ("ồ"). Here: a letter with two or more combining marks, under 6 bytes, is
    cut to its shortest prefix that NFKC changes. Returns None when no grapheme is affected.
    """
    out = []
    changed = False
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.category(text[j]).startswith('M'):
            j += 1
        cluster = text[i:j]
        if j - i >= 3 and len(cluster.encode('utf-8')) < 6:
            for k in range(1, len(cluster)):
                prefix = cluster[:k + 1]
                if unicodedata.normalize('NFKC', prefix) != prefix:
                    cluster = prefix
                    changed = True
                    break
        out.append(cluster)
        i = j
    return ''.join(out) if changed else None


def main(work, out):
    with open(os.path.join(work, 'corpus.json'), encoding='utf-8') as f:
        corpus = json.load(f)
    training = os.path.join(work, 'training.txt')
    os.makedirs(out, exist_ok=True)
    spm.set_random_generator_seed(20240)
    for name, options in MODELS.items():
        prefix = os.path.join(out, name)
        spm.SentencePieceTrainer.train(
            input=training, model_prefix=prefix, vocab_size=VOCAB_SIZE, character_coverage=1.0,
            hard_vocab_limit=False, num_threads=1, minloglevel=2, **options)
        os.remove(prefix + '.vocab')
        processor = spm.SentencePieceProcessor(model_file=prefix + '.model')
        ids = [processor.encode(text, out_type=int) for text in corpus]
        pieces = [processor.encode(text, out_type=str) for text in corpus]
        # For nmt_nfkc models: sentencepiece's encoding of what HF's normalizer keeps of each affected string.
        reduced = {}
        if options['normalization_rule_name'] == 'nmt_nfkc':
            for index, text in enumerate(corpus):
                cut = first_match_reduced(text)
                if cut is not None:
                    reduced[str(index)] = processor.encode(cut, out_type=int)
        fixture = {
            'generator': 'scripts/reference/sentencepiece_reference.py',
            'sentencepiece': spm.__version__,
            'model': name + '.model',
            'options': dict(options, vocab_size=VOCAB_SIZE, character_coverage=1.0),
            'unk_id': processor.unk_id(),
            'corpus_size': len(corpus),
            'corpus_sha256': corpus_digest(corpus),
            'ids': ids,
            'pieces': pieces,
            'first_match_reduced_ids': reduced,
        }
        # gzip (mtime 0, so the same encodings give the same bytes): the corpus repeats fragments.
        text = json.dumps(fixture, ensure_ascii=False, separators=(',', ':')) + '\n'
        with open(prefix + '.json.gz', 'wb') as f:
            f.write(gzip.compress(text.encode('utf-8'), mtime=0))
        print('wrote %s.model (%d pieces) and %s.json.gz' % (prefix, processor.get_piece_size(), prefix))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
