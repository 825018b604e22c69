"""cxr-edge device side: preprocessing, model loading and classification without TensorFlow."""

__version__ = "0.58.0"
