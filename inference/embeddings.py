"""Sentence embeddings from a stored model's fine-tuned encoder (mean-pooled last layer).

The review loop spreads its picks over these: they place sentences by what the classifier
learned to look at, which a bag of words does not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from inference.artifact import ModelArtifact
from inference.predictor import length_batches, pad_batch


def pooled_embeddings(artifact: ModelArtifact, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """One unit-length row per text: the encoder's last hidden states averaged over real tokens."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    tokenizer = AutoTokenizer.from_pretrained(artifact.directory)
    verbosity = logging.get_verbosity()
    logging.set_verbosity_error()  # the classifier head it leaves out is expected, not news
    try:
        encoder = AutoModel.from_pretrained(artifact.directory).eval()
    finally:
        logging.set_verbosity(verbosity)
    encoded = tokenizer(list(texts), truncation=True, max_length=artifact.metadata.max_length)
    out = np.zeros((len(texts), encoder.config.hidden_size), dtype=np.float32)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    with torch.inference_mode():
        for batch in length_batches(lengths, batch_size):
            padded = pad_batch(encoded, batch, tokenizer.pad_token_id)
            tensors = {k: torch.from_numpy(v) for k, v in padded.items()}
            hidden = encoder(**tensors).last_hidden_state
            mask = tensors["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            out[batch] = ((hidden * mask).sum(1) / mask.sum(1).clamp(min=1)).numpy()
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
