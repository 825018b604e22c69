"""What a .tflite without cxr-edge metadata is said to be: a model cxr-convert did not make, before a file cut short.

Every command refused one with "a cxr-edge file cut short (truncated) ... compare its size" first, which sent an
engineer with a hospital's own model hunting for a bad copy of a file that was never damaged. The two cannot
always be told apart: a cxr-edge file cut short inside its appended metadata is recognised by what remains of it
(edge.metadata says "damaged or truncated" then), but one cut short inside its weights has lost all of its metadata
and reads as a foreign file. So the foreign model is named first, the way on for it given, and the copy cut short
said last, in a clause.
"""

from __future__ import annotations


def no_metadata(named: str) -> str:
    """The refusal of ``named`` (already quoted for messages) by a command given no --labels for it."""
    return (f"{named} has no cxr-edge metadata: a model not made by cxr-convert (a foreign .tflite; no labels, "
            "preprocessing or calibration in it). edge-classify runs it and cxr-evaluate scores it with --labels A,B "
            "(its class names, in the order of its outputs); cxr-compare takes only cxr-convert's .tflite files and "
            "cxr-train runs' models. If it is a file cxr-convert made, it was cut short in copying: compare its size with the "
            "original and copy it again")
