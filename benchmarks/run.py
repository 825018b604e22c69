"""Performance benchmark: the default model and runtime vs the tutorial's pipeline, as ratios.

Baseline = the tutorial's CNN (`--arch seed`, 128x128x3, float32 Keras) and its data loading
(`keras.utils.image_dataset_from_directory`, decoding every epoch). Default = `--arch compact`,
int8 through edge. Prints one markdown table and replaces the "Performance benchmark" section
of benchmarks/RESULTS.md (other sections are kept); --quick only prints it, unless --results
names a file.

    python benchmarks/run.py            # ~10 min on 2 cores
    python benchmarks/run.py --quick    # ~1 min: fewer images, runs and epochs; 64 px models

Models: reuses runs/bench-accuracy/covid-normal-{compact-distilled,seed} (from
benchmarks/accuracy.py) when present, else trains small ones on the synthetic set in
runs/bench-perf/. Training rows time one model's epochs; the default recipe trains four models
(three teacher members, then the student, whose epochs also run the teacher): about 5 times
one model's training.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.perf_measures import KERAS_PREDICT, macs, process, timed  # noqa: E402
from benchmarks.perf_table import machine, render  # noqa: E402
from benchmarks.results import made_by, write_section  # noqa: E402
from benchmarks.training_speed import training_speed  # noqa: E402
from train.quiet import load_tensorflow  # noqa: E402

# Effective Pi 4 CPU rate: MobileNet v1 1.0/224 (569 M MACs) ran in 87 ms with TFLite on a Pi 4's
# CPU (TildAlice, "MobileNet vs EfficientNet-Lite: Pi 4 First Model 38ms Gap", dev.to, 2026).
PI4_MACS_PER_S = 569e6 / 0.087
PI4_SOURCE = "MobileNet v1 1.0/224, 569 M MACs in 87 ms on a Pi 4 CPU (TildAlice, dev.to, 2026)"
# --quick is a smoke run of every row: at 64 px the seed model's Dense layer is a quarter of 128 px's, and converting
# it took 12 s instead of 41 (27 MB int8) on 2 cores. Its ratios are not 128 px's: the table says the sizes it used.
QUICK_SIZE = 64


def runs(out: Path, quick: bool) -> dict[str, Path]:
    """One run folder per architecture, converted to int8 and fp32."""
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    # The default recipe's model (distilled; the same architecture and size as one compact model).
    found = {a: ROOT / "runs" / "bench-accuracy" / f"covid-normal-{d}" for a, d in (("compact", "compact-distilled"),
                                                                                     ("seed", "seed"))}
    if all((p / "model_int8.tflite").is_file() for p in found.values()) and not quick:
        return found
    made = {}
    for arch in ("compact", "seed"):
        run = out / "runs" / arch
        if not (run / "model_int8.tflite").is_file():
            # Speed and size depend on the architecture alone: one model, no teacher, is enough here.
            run_training(TrainSettings(data="synthetic", out=run, arch=arch, epochs=1, synthetic_count=40,
                                       image_size=QUICK_SIZE if quick else 128, teacher_members=0, progress=False))
            run_conversion(ConvertSettings(run_dir=run, modes=["int8", "fp32"], latency_threads=(), n_boot=100,
                                           progress=False))
        made[arch] = run
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-perf",
                    help="Work folder; RESULTS.md is written to the repo unless --results says otherwise.")
    ap.add_argument("--results", type=Path, default=None,
                    help="Markdown file whose performance section the table replaces (default: benchmarks/RESULTS.md; "
                         "with --quick none, unless given: a smoke test's table must not replace the recorded one).")
    ap.add_argument("--images", type=int, default=500, help="Images in the folder-throughput test.")
    args = ap.parse_args()
    if args.images < 2:
        ap.error(f"--images {args.images}: give at least 2 (an image of each class)")
    n_images, n_proc, n_epochs, n_train = (30, 2, 2, 128) if args.quick else (args.images, 7, 5, 10**9)
    load_tensorflow()
    import keras
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # retracing notes from fitting one epoch at a time

    from edge.metadata import read
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file
    from train.synthetic_set import generate

    r = runs(args.out, args.quick)
    rows: list[tuple[str, float, float, str, str]] = []  # measure, default, baseline, target text, kind

    size = {a: {m: len(read(r[a] / f"model_{m}.tflite")[0]) for m in ("int8", "fp32")} for a in r}
    keras_size = {a: (r[a] / "model.keras").stat().st_size for a in r}
    rows.append(("model size, .keras (KiB)", keras_size["compact"] / 1024, keras_size["seed"] / 1024, "", "smaller"))
    rows.append(("model size, fp32 .tflite (KiB)", size["compact"]["fp32"] / 1024, size["seed"]["fp32"] / 1024, "", "smaller"))
    rows.append(("model size, int8 .tflite without cxr-edge's metadata (KiB)", size["compact"]["int8"] / 1024,
                 size["seed"]["int8"] / 1024, "default ≤ 0.5% of seed (the model; metadata apart)", "pct0.5"))
    shipped = {a: (r[a] / "model_int8.tflite").stat().st_size for a in r}  # + labels, card, 40 bytes a training film
    # its share beside the model's, with no target: the metadata grows with the training set (about 0.6% of seed's
    # file on cxr-dev), which a multiple ('195.7x') hid
    rows.append(("int8 .tflite file as shipped, with its metadata (KiB)", shipped["compact"] / 1024, shipped["seed"] / 1024,
                 "", "share"))

    images = args.out / "images"
    if len(list(images.glob("*/*.png"))) < n_images:
        generate(images, n_per_class=n_images // 2, size=(512, 512), seed=1)
    files = sorted(str(p) for p in images.glob("*/*.png"))[:n_images]
    one = files[0]

    seed_keras = keras.models.load_model(r["seed"] / "model.keras", compile=False)
    x3 = preprocess_file(one, EdgeModel(r["seed"] / "model_int8.tflite").preprocess)[None].astype(np.float32)
    for threads in (1, 2):
        d = EdgeModel(r["compact"] / "model_int8.tflite", threads=threads)
        s8 = EdgeModel(r["seed"] / "model_int8.tflite", threads=threads)
        x1 = preprocess_file(one, d.preprocess)[None]
        dm, dp = timed(lambda: d.logits(x1))
        sm, sp = timed(lambda: s8.logits(x3.astype(np.uint8)))
        km, kp = timed(lambda: seed_keras(x3, training=False), runs=10 if args.quick else 30)
        # TensorFlow's thread pools are fixed at start-up: Keras uses every core in both rows (against it, not for it)
        rows.append((f"invoke ms, {threads} thread(s) (Keras: all cores), median: default int8 vs seed Keras", dm, km,
                     "≥ 20x faster", "x20"))
        rows.append((f"invoke ms, {threads} thread(s) (Keras: all cores), p95: default int8 vs seed Keras", dp, kp, "",
                     "faster"))
        rows.append((f"invoke ms, {threads} thread(s), median: default int8 vs seed int8", dm, sm, "≥ 5x faster", "x5"))
        if threads == 1 and d.typicality is not None:  # numpy, one thread whatever the interpreter's count
            cm, _ = timed(lambda: d.atypical(x1), runs=200)
            rows.append(("input check ms per image (edge.typicality) vs default int8 invoke, 1 thread, median", cm, dm, "", "share"))
            from edge.explain import occlusion

            em, _ = timed(lambda: occlusion(d.log_scores, x1[0], 0), warmup=1, runs=5)
            rows.append(("edge-classify --explain ms per image (occlusion map) vs default int8 invoke, 1 thread, median",
                         em, dm, "", "cost"))

    edge_cmd = [sys.executable, "-m", "edge.cli", one, "--model", str(r["compact"] / "model_int8.tflite")]
    script = args.out / "keras_predict.py"  # in the work folder: a temporary file was left behind in /tmp each run
    script.write_text(KERAS_PREDICT)
    tf_cmd = [sys.executable, str(script), str(r["seed"] / "model.keras"), one]
    os.environ["PYTHONPATH"] = str(ROOT)
    edge_wall, edge_rss = process(edge_cmd, n_proc)
    tf_wall, tf_rss = process(tf_cmd, n_proc // 2)  # TF's start is 5 s a run
    rows.append(("cold start s, whole process: edge-classify vs TF+Keras predict", edge_wall, tf_wall, "≥ 15x faster", "x15"))
    rows.append(("peak RSS MiB of those processes", edge_rss, tf_rss, "≤ 1/5", "x5"))

    from edge.batch import classify_files

    d = EdgeModel(r["compact"] / "model_int8.tflite")

    def decode_only() -> None:
        for p in files:
            preprocess_file(p, d.preprocess)

    def classify() -> None:  # one decoding thread, as the floor: like with like
        assert all(res.error is None for res in classify_files(d, files, workers=1))

    # A warm-up pass (files in the page cache, the interpreter's first calls), then both in turn three
    # times, medians: timed once and first, the floor came out slower than classifying, decoding included.
    decode_only()
    classify()
    decode_times, classify_times = [], []
    for _ in range(3):
        for fn, times in ((decode_only, decode_times), (classify, classify_times)):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    decode_s, classify_s = float(np.median(decode_times)), float(np.median(classify_times))
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "edge.cli", *files, "--model", str(r["compact"] / "model_int8.tflite")],
                   capture_output=True, check=True)
    process_s = time.perf_counter() - t
    rows.append((f"{len(files)} images (512 px), s: classify (edge.batch, one decoding thread) vs decode+resize only, "
                 "one thread (floor)", classify_s, decode_s, "≤ 1.5x the floor", "le1.5"))
    rows.append((f"{len(files)} images, s: whole edge-classify process (start-up included, up to 4 decoding threads) "
                 "vs the floor", process_s, decode_s, "", "info-ratio"))

    target, max_epochs, train_px = (0.5, 2, QUICK_SIZE) if args.quick else (0.8, 15, 128)
    ours, theirs, default, ours_to, tut_to = training_speed(r["seed"], n_epochs, n_train, target, max_epochs, train_px)
    rows.append(("training s/epoch, seed model: cached tf.data vs image_dataset_from_directory", ours, theirs,
                 "≥ 3x faster", "x3"))
    rows.append(("training s/epoch: default model, cached + augmented vs seed, tutorial-style", default, theirs,
                 "", "faster"))
    rows.append((f"training s to validation accuracy {target:.2f} (max {max_epochs} epochs; inf = not reached): "
                 "default, ours (decode included) vs seed, tutorial-style", ours_to, tut_to, "", "faster"))

    m = {"compact": macs(keras.models.load_model(r["compact"] / "model.keras", compile=False)), "seed": macs(seed_keras)}
    rows.append(("M MACs per image", m["compact"] / 1e6, m["seed"] / 1e6, "", "fewer"))
    rows.append(("Pi 4 estimate ms per invoke (MACs / an effective rate: an ESTIMATE, not measured)", 1000 * m["compact"] / PI4_MACS_PER_S,
                 1000 * m["seed"] / PI4_MACS_PER_S, "", "faster"))

    table = render(rows)
    px = {a: f"{EdgeModel(p / 'model_int8.tflite').preprocess.size} px" for a, p in r.items()}  # --quick's are smaller
    images_flag = f" --images {args.images}" if args.images != 500 and not args.quick else ""  # the table's own command
    header = (f"## Performance benchmark\n\nCommand: `python benchmarks/run.py{' --quick' if args.quick else ''}{images_flag}` — "
              f"{time.strftime('%Y-%m-%d')}, {made_by()}, {machine()}. "
              f"Models: {', '.join(f'{a} ({px[a]}): `{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}`' for a, p in r.items())}"
              f"; the training rows build both for {train_px} px inputs.\n\n")
    note = (f"\n\nPi 4 latency is an ESTIMATE: MACs divided by an effective rate of {PI4_MACS_PER_S / 1e9:.1f} G MAC/s "
            f"taken from {PI4_SOURCE}. Not measured on a Pi.\n")
    section = header + table + note
    print(section)
    if args.results is None and not args.quick:
        args.results = ROOT / "benchmarks" / "RESULTS.md"
    if args.results is not None:
        write_section(args.results, "Performance benchmark", section)
    (args.out / "perf.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
