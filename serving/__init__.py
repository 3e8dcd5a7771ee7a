"""Serving side of warlens: the inference engine, segmentation, the HTTP service and batch scoring.

It meets `training/` only through the stored model directory and its `warlens.json`.
"""
