"""cxr-edge workstation side: data discovery, splits, caching and Keras training."""
