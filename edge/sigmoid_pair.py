"""Whether a foreign graph's two outputs are a sigmoid's ``[1 - p, p]``: probabilities, which a softmax read as
logits squashes (0.985 to 0.73). Recognised only where the graph proves it: one number p taken from a LOGISTIC,
joined (CONCATENATION or PACK) with a SUB of the constant 1 minus that very tensor, or sigmoid(z) joined with
sigmoid(-z) of the very same z (which is 1 - sigmoid(z) exactly); never guessed from the outputs."""

from __future__ import annotations

from typing import Any

import numpy as np

# Ops whose output only carries numbers of their input (a quantized export's requantizing, a reshape).
_PASSED = ("QUANTIZE", "DEQUANTIZE", "RESHAPE")
# Ops that take some of a tensor's numbers, and which input holds them: ``p[:, 0]`` (STRIDED_SLICE, SQUEEZE), tf.split
# and keras.ops.split (SPLIT takes its axis first; SPLIT_V second), tf.unstack (UNPACK), tf.gather and keras.ops.take.
_TAKEN_FROM = {"STRIDED_SLICE": 0, "SQUEEZE": 0, "SLICE": 0, "SPLIT": 1, "SPLIT_V": 0, "UNPACK": 0, "GATHER": 0,
               "GATHER_ND": 0}
# Ops that take numbers at constant indices (tf.gather, keras.ops.take; tf.gather_nd). The converter leaves two of them
# apart where their axes are written otherwise (axis=-1 beside axis=1) or their indices are of other types (int64
# beside int32): two tensors then, holding the same number.
_GATHERS = ("GATHER", "GATHER_ND")
# Ops that carry a constant's value, and which input holds it: a float16 constant's DEQUANTIZE, the 1 of
# tf.ones_like(p) (BROADCAST_TO p's shape) and of tf.ones(tf.shape(p)) (FILL takes the shape first).
_VALUE_OF = {"DEQUANTIZE": 0, "BROADCAST_TO": 0, "FILL": 1}


def maker(made_by: dict[int, dict], tensor: int) -> dict | None:
    """The op that makes a tensor, looking through any QUANTIZE, DEQUANTIZE or RESHAPE after it."""
    return made_by.get(_source(made_by, tensor))


def _source(made_by: dict[int, dict], tensor: int) -> int:
    """The tensor a QUANTIZE, DEQUANTIZE or RESHAPE chain starts from (itself where none makes it). Compared as
    tensors, not ops: tf.split makes both halves in one SPLIT, and 1 - a joined with b is no distribution."""
    for _ in range(8):
        op = made_by.get(int(tensor))
        if op is None or op["op_name"] not in _PASSED or not len(op.get("inputs", [])):
            return int(tensor)
        tensor = op["inputs"][0]
    return -1  # a chain too long for a real export: made by nothing edge recognises


def _constant(interpreter: Any, made_by: dict[int, dict], tensor: int) -> np.ndarray | None:
    """A constant operand's real value, or None where it is no constant. Quantized exports keep the 1 of ``1 - p``
    otherwise: a float16 constant DEQUANTIZE'd at load (float16 exports), or an int8 127 at scale 1/255 and zero
    point -128 (full-integer ones), read here through its scale and zero point. ``tf.ones_like(p) - p`` makes its 1
    at run time in p's shape (BROADCAST_TO, FILL): the constant it is made from is its value."""
    for _ in range(4):
        op = made_by.get(int(tensor))
        if op is None:
            break
        at = _VALUE_OF.get(op["op_name"])
        if at is None or len(op.get("inputs", [])) <= at:
            return None  # made by the graph at run time: no constant
        tensor = op["inputs"][at]
    else:
        return None
    try:
        value = np.asarray(interpreter.get_tensor(int(tensor)))
        detail = next(d for d in interpreter.get_tensor_details() if d["index"] == int(tensor))
    except Exception:  # no data (a graph input) or a runtime that does not list it
        return None
    if value.dtype.kind == "f":
        return value.astype(np.float64)
    q = detail.get("quantization_parameters", {})
    scales, zeros = np.asarray(q.get("scales", [])), np.asarray(q.get("zero_points", []))
    if value.dtype.kind not in "iu" or scales.size != 1 or not scales[0] > 0:
        return None  # an integer without one scale: not a number edge can read as 1
    return float(scales[0]) * (value.astype(np.float64) - float(zeros.reshape(-1)[0] if zeros.size else 0))


def _is_one(interpreter: Any, made_by: dict[int, dict], tensor: int, want: float = 1.0) -> bool:
    """Whether an operand is the constant 1 (or ``want``: the -1 of ``z * -1``, the 0 of ``0 - z``), within 0.005:
    half a quantization step of any scale under 0.01 (an int8 1 is 127 at scale 1/255, zero point -128, which is 1
    exactly), and no other number a model would take p from."""
    value = _constant(interpreter, made_by, tensor)
    return value is not None and value.size > 0 and bool(np.all(np.abs(value - want) <= 0.005))


def _negated(interpreter: Any, made_by: dict[int, dict], tensor: int) -> int | None:
    """The tensor z of which ``tensor`` is -z, or None: keras.ops.sigmoid(-z) and keras.ops.negative(z) give a
    NEG, ``z * -1`` a MUL by the constant -1 (either side), ``0 - z`` a SUB from the constant 0; a quantized
    export keeps them between DEQUANTIZE and QUANTIZE, or quantizes the constant (read through its scale)."""
    op = maker(made_by, tensor)
    if op is None:
        return None
    ins = [int(t) for t in op.get("inputs", [])]
    if op["op_name"] == "NEG" and len(ins) == 1:
        return _source(made_by, ins[0])
    if op["op_name"] == "MUL" and len(ins) == 2:
        for at in (0, 1):
            if _is_one(interpreter, made_by, ins[at], -1.0):
                return _source(made_by, ins[1 - at])
    if op["op_name"] == "SUB" and len(ins) == 2 and _is_one(interpreter, made_by, ins[0], 0.0):
        return _source(made_by, ins[1])
    return None


def _negated_pair(interpreter: Any, made_by: dict[int, dict], ins: list[int]) -> bool:
    """Whether two joined tensors are sigmoid(-z) and sigmoid(z) (either order) of the very same one-number z: as
    sigmoid(-z) is 1 - sigmoid(z) exactly, that is ``[1 - p, p]`` written otherwise. Two LOGISTICs of different
    tensors (sigmoid(-a) beside sigmoid(b)), or of several units each, are no distribution and stay logits."""
    makers = [maker(made_by, t) for t in ins]
    if any(o is None or o["op_name"] != "LOGISTIC" or len(o.get("inputs", [])) != 1 for o in makers):
        return False
    if not all(_one_number(interpreter, t) for t in ins):
        return False
    z = [int(o["inputs"][0]) for o in makers]  # -1: a chain too long to follow, which proves nothing
    return any(_negated(interpreter, made_by, z[at]) == _source(made_by, z[1 - at]) >= 0 for at in (0, 1))


def _sigmoid_of(made_by: dict[int, dict], op: dict) -> dict | None:
    """The LOGISTIC that ``op`` is, or that it takes numbers from through ops that take some of them (``p[:, 0]``
    before keras.ops.stack; one half of tf.split, then sliced), else None."""
    for _ in range(8):
        if op["op_name"] == "LOGISTIC":
            return op
        at = _TAKEN_FROM.get(op["op_name"])
        if at is None or len(op.get("inputs", [])) <= at:
            return None
        op = maker(made_by, op["inputs"][at])
        if op is None:
            return None
    return None


def _shape(interpreter: Any, tensor: int) -> tuple[int, ...] | None:
    """A tensor's shape as allocated (one film), or None where the runtime does not list it."""
    try:
        return tuple(int(v) for v in next(d["shape"] for d in interpreter.get_tensor_details()
                                          if d["index"] == int(tensor)))
    except Exception:  # a runtime that does not list it
        return None


def _one_number(interpreter: Any, tensor: int) -> bool:
    """Whether a tensor holds one number a film (shape (1, 1) or (1,)): a sigmoid of several units joined with
    1 minus each is no distribution over its outputs (it sums to the number of units)."""
    shape = _shape(interpreter, tensor)
    return shape is not None and int(np.prod(shape[1:])) == 1


def _indices(interpreter: Any, made_by: dict[int, dict], tensor: int) -> np.ndarray | None:
    """A GATHER's constant indices, or None where the graph makes them at run time."""
    if int(tensor) in made_by:
        return None
    try:
        value = np.asarray(interpreter.get_tensor(int(tensor)))
    except Exception:  # no data: a graph input
        return None
    return value if value.dtype.kind in "iu" else None


def _same_number(interpreter: Any, made_by: dict[int, dict], a: int, b: int) -> bool:
    """Whether tensors a and b hold the same number: one tensor (through QUANTIZE, DEQUANTIZE, RESHAPE), or two
    GATHERs (GATHER_NDs) left apart, of the same tensor at equal constant indices, each giving one number in all.
    A GATHER's axis is no input the runtime lists, but one number taken at one index is the same whatever the
    axis was written as; a GATHER_ND's indices are whole addresses, equal in shape too, into tensors of one shape
    (reshaped apart, one address is two numbers: session 70's review)."""
    a, b = _source(made_by, a), _source(made_by, b)
    if a == b:
        return True
    ops = [made_by.get(a), made_by.get(b)]
    if any(o is None or o["op_name"] not in _GATHERS or len(o.get("inputs", [])) != 2 for o in ops):
        return False
    if ops[0]["op_name"] != ops[1]["op_name"] or any(_shape(interpreter, t) is None for t in (a, b)):
        return False
    if int(np.prod(_shape(interpreter, a))) != 1 or int(np.prod(_shape(interpreter, b))) != 1:
        return False  # several numbers taken: which ones, the axis would tell
    (pa, ia), (pb, ib) = ([int(t) for t in o["inputs"]] for o in ops)
    at = [_indices(interpreter, made_by, t) for t in (ia, ib)]
    if _source(made_by, pa) != _source(made_by, pb) or at[0] is None or at[1] is None:
        return False
    if ops[0]["op_name"] == "GATHER_ND" and (at[0].shape != at[1].shape or _shape(interpreter, pa) is None
                                             or _shape(interpreter, pa) != _shape(interpreter, pb)):
        return False  # an address means another number in another shape: [0, 1, 0] of (2, 2) and of (4, 1)
    return np.array_equal(at[0].reshape(-1), at[1].reshape(-1))


def sigmoid_pair(interpreter: Any, made_by: dict[int, dict], op: dict) -> bool:
    """Whether a CONCATENATION (or PACK) joins a sigmoid's p and 1 - p (in either order): a one-sigmoid binary model
    given two outputs, as the one-output refusal advises. Those are probabilities; read as logits, a softmax
    over them squashed 0.985 to 0.73. Every export the converter makes of it (float, dynamic-range, float16,
    full-integer with float, int8 or uint8 ends) gives LOGISTIC -> SUB(1, p) -> CONCATENATION, a QUANTIZE
    after the LOGISTIC where it is requantized to the join's scale; keras.ops.stack([1 - p[:, 0], p[:, 0]], axis=1)
    gives a STRIDED_SLICE after it and a PACK, read as logits up to 0.51.0. One unit of a sigmoid taken by tf.split,
    tf.unstack, tf.gather or keras.ops.take (SPLIT, UNPACK, GATHER), and 1 given as tf.ones_like(p), were read as
    logits up to 0.52.0; so was ``[sigmoid(-z), sigmoid(z)]`` (NEG, MUL by -1 or SUB from 0 before a LOGISTIC).
    p taken by tf.gather_nd (GATHER_ND), or by two GATHERs the converter left apart, were read as logits up to
    0.53.0."""
    ins = [int(t) for t in op.get("inputs", [])]
    if len(ins) != 2:
        return False
    makers = [maker(made_by, t) for t in ins]
    for p_at in (0, 1):
        p_op, sub = makers[p_at], makers[1 - p_at]
        if p_op is None or sub is None or _sigmoid_of(made_by, p_op) is None or sub["op_name"] != "SUB":
            continue
        if not _one_number(interpreter, ins[p_at]) or len(sub.get("inputs", [])) < 2:
            continue
        one, p = (int(t) for t in sub["inputs"][:2])
        if _same_number(interpreter, made_by, p, ins[p_at]) and _is_one(interpreter, made_by, one):
            return True
    return _negated_pair(interpreter, made_by, ins)
