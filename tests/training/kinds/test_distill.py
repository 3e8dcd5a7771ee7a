import numpy as np
import pytest
import torch
from datasets import Dataset
from transformers import BertConfig, BertForSequenceClassification

from training.kinds.distill import (
    UNLABELLED,
    cut_layers,
    distillation_loss,
    kept_layers,
    with_teacher_targets,
)


def test_layers_kept_from_the_bottom_or_spread():
    assert kept_layers(6, 3, "bottom") == [0, 1, 2]
    assert kept_layers(6, 3, "alternate") == [0, 2, 4]
    assert kept_layers(6, 2, "alternate") == [0, 3]
    assert kept_layers(6, 6, "alternate") == list(range(6))
    with pytest.raises(ValueError, match="between 1 and 6"):
        kept_layers(6, 7, "bottom")


def test_cut_layers_keeps_the_chosen_layers_and_still_runs():
    config = BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=4, num_attention_heads=2,
                        intermediate_size=32, num_labels=5)
    model = BertForSequenceClassification(config)
    second = model.bert.encoder.layer[2]
    cut_layers(model, [0, 2])
    assert model.config.num_hidden_layers == 2 and model.bert.encoder.layer[1] is second
    assert model(input_ids=torch.tensor([[1, 2, 3]])).logits.shape == (1, 5)


class Outputs:
    def __init__(self, logits):
        self.logits = logits


def test_the_loss_is_the_kl_when_alpha_is_one_and_cross_entropy_when_zero():
    teacher = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]])
    targets = torch.cat([torch.tensor([[0.0], [UNLABELLED]]), teacher], dim=1)
    matching = distillation_loss(2.0, 1.0)(Outputs(teacher.clone()), targets)
    assert matching.item() == pytest.approx(0.0, abs=1e-6)  # a student equal to its teacher
    student = torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert distillation_loss(2.0, 1.0)(Outputs(student), targets).item() > 0.1
    gold_only = distillation_loss(2.0, 0.0)(Outputs(student), targets)
    assert gold_only.item() == pytest.approx(np.log(3), abs=1e-5)  # the unlabelled row is left out
    plain = distillation_loss(2.0, 0.5)(Outputs(student), torch.tensor([0, 2]))
    assert plain.item() == pytest.approx(np.log(3), abs=1e-5)  # evaluation: plain label ids


def test_targets_pack_gold_and_teacher_logits_with_unlabelled_rows_last():
    train = Dataset.from_dict({"text": ["a", "b"], "label_id": [1, 0]})
    packed = with_teacher_targets(train, ["c"], np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]]))
    assert packed["text"] == ["a", "b", "c"]
    assert packed["label_id"] == [[1.0, 0.1, 0.9], [0.0, 0.8, 0.2], [float(UNLABELLED), 0.5, 0.5]]
