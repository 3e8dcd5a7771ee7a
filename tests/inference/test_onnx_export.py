"""The fp32 export feeds each encoder the inputs its forward takes by name."""

import numpy as np
import onnxruntime as ort
import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    MPNetConfig,
    MPNetForSequenceClassification,
)

from inference.onnx import export_fp32

TINY = {"vocab_size": 60, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 32, "num_labels": 5}


def exported_matches_torch(model, tmp_path) -> tuple[list[str], float]:
    model.eval().save_pretrained(tmp_path / "model")
    graph = export_fp32(tmp_path / "model", tmp_path / "model.onnx")
    session = ort.InferenceSession(str(graph), providers=["CPUExecutionProvider"])
    ids = np.array([[3, 17, 22, 41, 5, 2], [3, 9, 12, 2, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    names = [item.name for item in session.get_inputs()]
    feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    onnx_logits = session.run(["logits"], {name: feed[name] for name in names})[0]
    with torch.no_grad():
        torch_logits = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits
    return names, float(np.abs(onnx_logits - torch_logits.numpy()).max())


def test_mpnet_is_exported_without_segment_ids_and_matches_torch(tmp_path):
    torch.manual_seed(0)
    names, gap = exported_matches_torch(MPNetForSequenceClassification(MPNetConfig(**TINY)), tmp_path)
    assert names == ["input_ids", "attention_mask"]  # positions are computed, not fed as zeros
    assert gap < 1e-4


def test_bert_keeps_its_segment_ids(tmp_path):
    torch.manual_seed(0)
    names, gap = exported_matches_torch(BertForSequenceClassification(BertConfig(**TINY)), tmp_path)
    assert names == ["input_ids", "attention_mask", "token_type_ids"]
    assert gap < 1e-4
