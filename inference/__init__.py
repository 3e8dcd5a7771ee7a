"""The inference core: the stored-model contract, the predictor, its ONNX graphs, segmentation."""
