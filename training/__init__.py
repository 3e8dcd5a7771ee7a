"""Training side of warlens: configs, data, fine-tuning, evaluation, tracking and the model store."""
