"""The card's first line (edge-classify --card), also cxr-evaluate's "Model:" line: which file, which classes,
how it was made, trained and converted, so two reports of two files can be told apart."""

from __future__ import annotations

from typing import Any

from edge.controls import escaped


def card_head(meta: dict[str, Any], name: str | None) -> str:
    """The card's first line: the file's name, classes, architecture, quantization, when and with what it was
    trained and by what converted. Also cxr-evaluate's "Model:" line (``name`` None: the line names the path
    already): two reports titled "model_int8.tflite on site" could not be told apart."""
    labels = meta.get("labels") or []
    if meta.get("foreign"):  # its head read "A / B (model, ?; trained ?; converted by an unknown maker)" (hunt 62 H19)
        return (f"{f'{name}: ' if name else ''}{' / '.join(labels)} (no cxr-edge metadata: the classes --labels names; "
                "how it was made, trained and quantized is not recorded in it)")
    training = meta.get("training") if isinstance(meta.get("training"), dict) else {}
    trained_with = f" with cxr-edge {training['cxr_edge_version']}" if training.get("cxr_edge_version") else ""
    seed = (training.get("settings") or {}).get("seed")
    members = meta.get("members") if isinstance(meta.get("members"), int) else 1
    arch = f"an ensemble of {members} {meta.get('arch') or 'model'} models, their logits averaged: {members} times " \
           "the compute of one" if members > 1 else meta.get("arch") or "model"
    # escaped: a file edited by hand or written by another tool ran an ESC sequence in any field on the terminal
    return escaped(f"{f'{name}: ' if name else ''}{' / '.join(labels)} ({arch}, {meta.get('quantization') or '?'}; "
                   f"trained {meta.get('trained') or '?'}{trained_with}{'' if seed is None else f', seed {seed}'}; "
                   f"converted by {_maker(meta.get('created_by'))})")


def _maker(created_by: Any) -> str:
    """The converter's 'created_by' as the card says it: a value that is no text (a list, a number: a file edited by
    hand or written by another tool) said as 'an unknown maker', not as Python's repr."""
    return created_by if isinstance(created_by, str) and created_by.strip() else "an unknown maker"
