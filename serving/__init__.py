"""The HTTP service: one BentoML class over `inference.Predictor`, its schemas, limits, auth, page."""
