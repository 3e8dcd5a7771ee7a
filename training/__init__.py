"""Training: configs, data, model kinds, evaluation, tracking and the model store."""
