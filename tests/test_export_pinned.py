"""convert.export pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change to convert/export.py in place, which its other tests let through): what each mode's file computes in, read
from the files of tests.runtime_models (the model_dir fixture) as the converter wrote them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow", reason="the converter's flatbuffer schema comes with TensorFlow")


def _ops(path: Path) -> list[dict]:
    """Every op of the file's main graph, in order: its name, version, and the type of its output and of its weights
    (second input, where there is one) with the number of scales they are quantized by. The interpreter does not
    say an op's version, which is what tflite-runtime 2.14 refuses or loads."""
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(path.read_bytes(), 0))
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    types = {v: k for k, v in vars(schema.TensorType).items() if not k.startswith("_")}
    graph = model.subgraphs[0]
    out = []
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        weights = graph.tensors[op.inputs[1]] if len(op.inputs) > 1 and op.inputs[1] >= 0 else None
        scales = weights.quantization.scale if weights is not None and weights.quantization is not None else None
        out.append({"op": names[max(code.builtinCode, code.deprecatedBuiltinCode)], "version": code.version,
                    "output": types[graph.tensors[op.outputs[0]].type],
                    "weights": None if weights is None else types[weights.type],
                    "scales": 0 if scales is None else len(scales)})
    return out


@pytest.mark.parametrize("arch", ["compact", "seed"])
def test_fp16_stores_half_precision_weights_and_dynamic_int8_ones_per_tensor_in_dense_layers(model_dir, arch):
    """fp16: float16 weights, dequantized to float on load, no int8 anywhere (without its supported type the converter
    makes a dynamic-range file under fp16's name). dynamic: int8 weights, float activations, and its Dense layers
    quantized per tensor, FULLY_CONNECTED below version 12, which tflite-runtime 2.14 refuses (DESIGN.md)."""
    fp16 = _ops(model_dir / arch / "model_fp16.tflite")
    assert {o["output"] for o in fp16 if o["op"] == "DEQUANTIZE"} == {"FLOAT32"}
    assert {t for o in fp16 for t in (o["output"], o["weights"])} <= {"FLOAT32", "FLOAT16", "INT32", None}
    assert any(o["op"] == "DEQUANTIZE" for o in fp16)
    dynamic = _ops(model_dir / arch / "model_dynamic.tflite")
    assert any(o["weights"] == "INT8" for o in dynamic) and {o["output"] for o in dynamic} <= {"FLOAT32", "INT32"}
    dense = [o for o in dynamic if o["op"] == "FULLY_CONNECTED" and o["weights"] == "INT8"]  # a small one stays float
    assert all(o["version"] < 12 and o["scales"] == 1 for o in dense), dense
    assert dense or arch == "compact"  # the seed model's 1600 x 512 Dense layer is quantized


@pytest.mark.parametrize("arch", ["compact", "seed"])
def test_int8_full_takes_and_gives_int8_and_int8_pools_the_stem_in_float(model_dir, arch):
    """int8-full is for integer-only accelerators: int8 in as well as out. int8 keeps the stem's max-pooling in float
    too, so its integer body starts at the pooled map (convert.export._stem_ops): the first QUANTIZE comes after it."""
    from edge.model import EdgeModel

    full = EdgeModel(model_dir / arch / "model_int8-full.tflite").interpreter
    for tensor in (full.get_input_details()[0], full.get_output_details()[0]):
        assert np.dtype(tensor["dtype"]) == np.int8 and tensor["quantization"][0] > 0
    names = [o["op"] for o in _ops(model_dir / arch / "model_int8.tflite")]
    assert names[:3] == ["CONV_2D", "MAX_POOL_2D", "QUANTIZE"]
    assert [o["output"] for o in _ops(model_dir / arch / "model_int8.tflite")][:2] == ["FLOAT32", "FLOAT32"]


def test_the_representative_set_gives_the_converter_every_sample_in_order_as_float_batches_of_one():
    """The calibration sample (report.md's 'ranges set on N training images') is given whole, each image alone."""
    from convert.export import _representative

    x = np.arange(5 * 4 * 4, dtype=np.uint8).reshape(5, 4, 4, 1)
    given = [batch for batch, in _representative(x)()]
    assert len(given) == 5 and all(b.dtype == np.float32 and b.shape == (1, 4, 4, 1) for b in given)
    assert np.array_equal(np.concatenate(given), x.astype(np.float32))


def test_the_calibration_sample_is_drawn_across_each_class_not_its_first_films():
    """The training split lists films in folder order, one source's names after another's (hannover-*, then the
    next): the first films of a class would calibrate the int8 ranges on one hospital's. The draw is random within
    each class, the same for the same seed, and given in the training split's order."""
    from convert.export import representative_sample

    y = np.repeat([0, 1], 50)
    x = np.arange(len(y))
    sample, labels = representative_sample(x, y, 10, seed=3)
    assert np.bincount(labels).tolist() == [5, 5] and (labels == y[sample]).all()
    assert sample.max() > 54 and sorted(sample[:5]) != list(range(5))  # not the first five of each class
    assert np.array_equal(sample, representative_sample(x, y, 10, seed=3)[0])
    assert not np.array_equal(sample, representative_sample(x, y, 10, seed=4)[0])
    assert (np.diff(sample) > 0).all()


def test_only_a_file_calibrated_on_training_images_says_how_many(model_dir):
    """calibration_samples in a file's metadata is what set its integer ranges (a later --report-only's report.md
    says it): an fp32, fp16 or dynamic file was calibrated on nothing and says no count."""
    from edge.model import EdgeModel

    for mode in ("int8", "int8-full", "int16x8", "dynamic", "fp16", "fp32"):
        meta = EdgeModel(model_dir / "seed" / f"model_{mode}.tflite").meta
        assert ("calibration_samples" in meta) == (mode in ("int8", "int8-full", "int16x8")), mode
