"""cxr-compare's two models' classes matched: the same names, or the same classes under other spellings (covid-19 and
NORMAL against COVID and Normal), else refused (split from convert.compare_cli)."""

from __future__ import annotations

import sys


def matched_classes(info_a: dict, info_b: dict) -> dict:
    """``info_b`` with its labels in A's spelling, said on stderr where they differ; raises ValueError where the two
    models' classes are not the same: their answers cannot be paired."""
    labels = info_a["labels"]
    if sorted(info_b["labels"]) == sorted(labels):
        return info_b
    from edge.class_key import matched_how, same_class_key

    key_a = {same_class_key(c): c for c in labels}
    keys_b = [same_class_key(c) for c in info_b["labels"]]
    if len(key_a) != len(labels) or sorted(keys_b) != sorted(key_a):
        raise ValueError(f"the models have different classes: A {', '.join(labels)}; B "
                         f"{', '.join(info_b['labels'])}; cxr-compare pairs the answers of models of the same "
                         "classes: score each with cxr-evaluate on the same folder (--class-map FOLDER=- leaves "
                         "out the folders a model has no class for) and compare their reports class by class")
    # one model trained on folders named covid-19 and NORMAL: its classes are the other's, as folders match
    print(f"cxr-compare: note: B's classes {', '.join(info_b['labels'])} are taken as A's "
          f"{', '.join(key_a[k] for k in keys_b)} ({matched_how(info_b['labels'], [key_a[k] for k in keys_b])})", file=sys.stderr)
    return {**info_b, "labels": [key_a[k] for k in keys_b]}
