"""The error of a film that cannot be turned into a model input, apart from edge.preprocess (which takes it here and
gives it on), so that the modules it calls (edge.flatten, edge.clear_film) can refuse a film themselves."""


class ImageError(ValueError):
    """An input file that cannot be turned into a model input; the message says why."""
