"""The quantization modes cxr-convert writes, in a module that imports nothing: the checks that run before
TensorFlow loads (an unknown --quant, --auto's refusals, stale files) need the names, and importing them from
convert.export loaded TensorFlow first, unsilenced (absl's 'oneDNN custom operations are on' lines on the
terminal) and seconds before a refusal that needed none of it."""

MODES = ("int8", "int8-full", "int16x8", "dynamic", "fp16", "fp32")
FULL_INTEGER = ("int8", "int8-full", "int16x8")  # ranges set on training images (--calibration-samples)
