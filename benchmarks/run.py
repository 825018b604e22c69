"""Performance benchmark: the default model and pipeline side by side with the tutorial's.

Baseline = the tutorial's pipeline, which ``--arch seed`` reproduces: its Sequential-style CNN at
128x128x3 in float32 Keras, and its data loading (``keras.utils.image_dataset_from_directory``,
decoding every epoch). Default = ``--arch compact``, int8 through ``edge`` (no TensorFlow).
Prints ONE markdown table of measured ratios (targets are judged in the table) and replaces the
"## Performance benchmark" section of benchmarks/RESULTS.md, leaving other sections alone.

    python benchmarks/run.py            # full: ~10-15 min on 2 cores
    python benchmarks/run.py --quick    # ~2-3 min: fewer images, runs and epochs
    python benchmarks/run.py --retrain  # train and convert the two models again

One model of each architecture is trained here (cxr-dev COVID vs Normal when
../shared/data/cxr-dev exists, else the synthetic set; full 5 epochs, --quick 1: accuracy is not
the point) and converted with convert.quantize.run_conversion; runs live under
runs/bench-perf/models/ and are reused until --retrain. --out DIR puts the runs AND RESULTS.md in
DIR instead (the smoke test uses it, so it never touches the repository's RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import perf_latency  # noqa: E402
import perf_macs  # noqa: E402
import perf_process  # noqa: E402
import perf_throughput  # noqa: E402
from train.quiet import load_tensorflow  # noqa: E402

CXR_DEV = ROOT.parent / "shared" / "data" / "cxr-dev"
SECTION = "## Performance benchmark"
ALL_MODES = ("int8", "dynamic", "fp16", "fp32")

# The tutorial-style process for the cold-start and memory rows: load the seed .keras in
# TensorFlow and predict one image, preprocessed by the same edge.preprocess as everywhere.
TF_PREDICT = """\
import json, sys
import numpy as np
import keras
from edge.preprocess import PreprocessConfig, preprocess_file
model = keras.models.load_model(sys.argv[1], compile=False)
x = preprocess_file(sys.argv[2], PreprocessConfig.from_dict(json.loads(sys.argv[3])))[None].astype(np.float32)
print(int(np.asarray(model(x, training=False)).argmax()))
"""


def log(msg: str) -> None:
    print(f"bench-perf: {msg}", file=sys.stderr, flush=True)


@dataclass
class Row:
    measure: str
    default: float
    baseline: float
    unit: str  # how the two values are printed
    ratio: float
    ratio_text: str  # e.g. "24.1x faster"
    target: str = "–"
    met: bool | None = None


def faster(measure: str, default: float, baseline: float, unit: str, need: float | None = None,
           word: str = "faster") -> Row:
    """Lower is better for both: ratio = baseline / default."""
    r = baseline / default if default > 0 else float("inf")
    return Row(measure, default, baseline, unit, r, f"{r:,.1f}x {word}", f"≥ {need:g}x" if need else "–",
               None if need is None else r >= need)


# ---------------------------------------------------------------------------- models


def data_source(args) -> tuple[str, str, list[str]]:
    """(TrainSettings.data, tag for folder names, classes)."""
    if not args.synthetic and CXR_DEV.is_dir():
        return str(CXR_DEV), "cxr-dev-covid-normal", ["COVID", "Normal"]
    return "synthetic", f"synthetic{2 * args.synthetic_count}", ["Normal", "COVID"]


def ensure_runs(args, modes: list[str]) -> dict[str, Path]:
    """One trained and converted run per architecture; reused unless --retrain."""
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    data, tag, classes = data_source(args)
    base = args.out / "models" / f"{tag}-{args.image_size}px-{args.epochs}ep"
    runs = {}
    for arch in ("compact", "seed"):
        run = base / arch
        if args.retrain and run.exists():
            shutil.rmtree(run)
        if not (run / "model.keras").is_file() or not (run / "run.json").is_file():
            log(f"training {arch} on {tag} for {args.epochs} epoch(s) in {run}")
            run_training(TrainSettings(data=data, out=run, classes=classes, arch=arch, epochs=args.epochs,
                                       image_size=args.image_size, synthetic_count=args.synthetic_count,
                                       progress=False))
            for old in run.glob("model_*.tflite"):
                old.unlink()
        missing = [m for m in modes if not (run / f"model_{m}.tflite").is_file()]
        if missing:
            log(f"converting {arch}: {', '.join(missing)}")
            _, code = run_conversion(ConvertSettings(run_dir=run, modes=missing, latency_threads=(), n_boot=100,
                                                     progress=False))
            if code:
                log(f"note: {arch}'s accuracy gate failed (short training; accuracy is not measured here)")
        else:
            log(f"reusing {run}")
        runs[arch] = run
    return runs


# ---------------------------------------------------------------------------- measurements


def sizes(runs: dict[str, Path], modes: list[str]) -> list[Row]:
    from edge.metadata import read

    def pct_row(name: str, d: float, b: float, limit: float | None = None) -> Row:
        r = d / b
        return Row(name, d / 1024, b / 1024, "KiB", r, f"{100 * r:.2f}%",
                   f"≤ {100 * limit:g}% of seed" if limit else "–", None if limit is None else r <= limit)

    rows = [pct_row("model size, .keras file (KiB)", (runs["compact"] / "model.keras").stat().st_size,
                    (runs["seed"] / "model.keras").stat().st_size)]
    for mode in modes:
        limit = 0.005 if mode == "int8" else None
        p = {a: runs[a] / f"model_{mode}.tflite" for a in runs}
        rows.append(pct_row(f"model size, {mode} .tflite flatbuffer (KiB)", len(read(p["compact"])[0]),
                            len(read(p["seed"])[0]), limit))
        rows.append(pct_row(f"model size, {mode} .tflite file incl. metadata + self-test (KiB)",
                            p["compact"].stat().st_size, p["seed"].stat().st_size, limit))
    return rows


def latency(runs: dict[str, Path], image: str, args, env: dict) -> tuple[list[Row], dict]:
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file

    rows, raw = [], {}
    warm, n = (3, 15) if args.quick else (10, 50)
    kwarm, kn = (3, 8) if args.quick else (5, 20)
    for threads in (1, 2):
        d = EdgeModel(runs["compact"] / "model_int8.tflite", threads=threads)
        s8 = EdgeModel(runs["seed"] / "model_int8.tflite", threads=threads)
        xd = preprocess_file(image, d.preprocess)
        xs = preprocess_file(image, s8.preprocess)
        log(f"invoke latency, {threads} thread(s)")
        ld = perf_latency.timed(lambda: d.logits(xd[None]), warm, n)
        ls8 = perf_latency.timed(lambda: s8.logits(xs[None]), warm, n)
        lk = perf_latency.keras_latency(runs["seed"] / "model.keras", xs, threads, kwarm, kn, env)
        raw[threads] = {"default_int8": ld, "seed_int8": ls8, "seed_keras": lk}
        t = f"{threads} thread{'s' if threads > 1 else ''}"
        for stat in ("median", "p95"):
            rows.append(faster(f"invoke ms/image, {t}, {stat}: default int8 (edge) vs seed Keras float32",
                               ld[stat], lk[stat], "ms", 20 if stat == "median" else None))
        for stat in ("median", "p95"):
            rows.append(faster(f"invoke ms/image, {t}, {stat}: default int8 vs seed int8 (both edge)",
                               ld[stat], ls8[stat], "ms", 5 if stat == "median" else None))
    return rows, raw


def cold_start(runs: dict[str, Path], image: str, edge_cmd: list[str], args, env: dict, tmp: Path) -> tuple[list[Row], dict]:
    from edge.model import EdgeModel

    script = tmp / "tf_predict_one.py"
    script.write_text(TF_PREDICT)
    seed_cfg = EdgeModel(runs["seed"] / "model_int8.tflite").preprocess
    edge = [*edge_cmd, image, "--model", str(runs["compact"] / "model_int8.tflite")]
    tfp = [sys.executable, str(script), str(runs["seed"] / "model.keras"), image, json.dumps(seed_cfg.to_dict())]
    log(f"cold start: {args.cold_runs} runs of each process (+1 untimed)")
    e = perf_process.measure(edge, args.cold_runs, env)
    t = perf_process.measure(tfp, args.cold_runs, env)
    rows = [faster(f"cold start s, whole process (median of {args.cold_runs}): `edge-classify one.png` default int8 "
                   "vs a TF process that loads the seed .keras and predicts one image", e.median_s, t.median_s, "s", 15),
            faster("peak RSS MiB (max resident set) of those two processes", e.rss_mib, t.rss_mib, "MiB", 5,
                   "smaller")]
    rows[-1].target = "≤ 1/5 (≥ 5x)"
    return rows, {"edge": e.__dict__, "tf": t.__dict__, "method": e.method}


def throughput(runs: dict[str, Path], files: list[str], folder: Path, edge_cmd: list[str], args, env: dict) -> tuple[list[Row], dict]:
    from edge.model import EdgeModel

    n = len(files)
    cfg = EdgeModel(runs["compact"] / "model_int8.tflite").preprocess
    reps = 1 if args.quick else 3
    log(f"folder throughput on {n} images ({reps} rep(s) each)")
    floor = perf_throughput.median_of(lambda: perf_throughput.decode_loop_s(files, cfg), reps)
    pool_times = [perf_throughput.decode_pool_s(files, cfg) for _ in range(reps)]
    pool, workers = sorted(t for t, _ in pool_times)[len(pool_times) // 2], pool_times[0][1]
    cls = perf_throughput.median_of(lambda: perf_throughput.classify_process_s(
        edge_cmd, folder, runs["compact"] / "model_int8.tflite", n, env), reps)
    seed = perf_throughput.median_of(lambda: perf_throughput.classify_process_s(
        edge_cmd, folder, runs["seed"] / "model_int8.tflite", n, env), reps)

    def vs_floor(name: str, floor_s: float, need: float | None) -> Row:
        r = cls / floor_s
        return Row(name, n / cls, n / floor_s, "img/s", r, f"{r:.2f}x the floor's time",
                   f"≤ {need:g}x the floor's time" if need else "–", None if need is None else r <= need)

    rows = [vs_floor(f"folder of {n} PNGs (512 px), img/s: `edge-classify DIR` default int8, whole process "
                     "(start-up included) vs decode+preprocess floor, plain loop", floor, 1.5),
            vs_floor(f"folder of {n} PNGs, img/s: `edge-classify DIR` vs the same floor in a {workers}-thread pool "
                     "(as edge.batch)", pool, None)]
    r = seed / cls
    rows.append(Row(f"folder of {n} PNGs, img/s: `edge-classify DIR` default int8 vs seed int8", n / cls, n / seed,
                    "img/s", r, f"{r:.1f}x faster"))
    return rows, {"classify_s": cls, "seed_classify_s": seed, "floor_loop_s": floor, "floor_pool_s": pool,
                  "workers": workers, "images": n}


def training(runs: dict[str, Path], args) -> tuple[list[Row], object]:
    import perf_training

    ts = perf_training.measure(runs["seed"], runs["compact"], args.speed_epochs, args.tta_epochs, args.target_acc,
                               log=log)
    rows = [faster(f"training s/epoch, seed model, same {ts.n_train} images: our pipeline (decoded once, tf.data, "
                   "prefetch; no augmentation) vs tutorial (image_dataset_from_directory)",
                   ts.seed_ours.s_per_epoch, ts.seed_tutorial.s_per_epoch, "s", 3),
            faster("training s/epoch: default model in our pipeline (with augmentation) vs seed in the tutorial's",
                   ts.default_ours.s_per_epoch, ts.seed_tutorial.s_per_epoch, "s")]
    if ts.default_tta_s is not None and ts.seed_tta_s is not None:
        rows.append(faster(f"time to validation accuracy ≥ {ts.threshold:.2f}, s: default model, our pipeline "
                           "(one-off decode included) vs seed model, tutorial pipeline",
                           ts.default_tta_s, ts.seed_tta_s, "s"))
    return rows, ts


def pi_estimate(runs: dict[str, Path]) -> tuple[list[Row], dict]:
    import keras

    macs = {a: perf_macs.model_macs(keras.models.load_model(runs[a] / "model.keras", compile=False)) for a in runs}
    rows = [faster("multiply-accumulates per inference (M MACs, counted from the Keras layers)",
                   macs["compact"] / 1e6, macs["seed"] / 1e6, "M", word="fewer"),
            faster(f"Raspberry Pi 4 (Cortex-A72) latency ESTIMATE, ms = MACs ÷ {perf_macs.PI4_MACS_PER_S / 1e9:.1f} G MAC/s "
                   "[not measured]", perf_macs.pi4_estimate_ms(macs["compact"]), perf_macs.pi4_estimate_ms(macs["seed"]),
                   "ms", word="faster (est.)")]
    return rows, macs


# ---------------------------------------------------------------------------- output


def fmt(v: float, unit: str) -> str:
    if unit in ("KiB", "M"):
        s = f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"
    elif v >= 100:
        s = f"{v:,.0f}"
    elif v >= 10:
        s = f"{v:.1f}"
    elif v >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3f}"
    return f"{s} {unit}"


def render(rows: list[Row]) -> str:
    lines = ["| measure | default (compact) | baseline (seed) | ratio | target | met? |",
             "|---|---:|---:|---:|---|---|"]
    for r in rows:
        met = "–" if r.met is None else "yes" if r.met else "**NO**"
        lines.append(f"| {r.measure} | {fmt(r.default, r.unit)} | {fmt(r.baseline, r.unit)} | {r.ratio_text} | "
                     f"{r.target} | {met} |")
    return "\n".join(lines)


def replace_section(old: str, section: str) -> str:
    """Put ``section`` in place of the old performance section (or at the end); keep everything else."""
    pattern = re.compile(rf"^{re.escape(SECTION)}\b.*?(?=^## |\Z)", re.S | re.M)
    body = section.rstrip("\n") + "\n"
    if pattern.search(old):
        new = pattern.sub(lambda _: body + "\n", old, count=1)
    else:
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + body
    return new.rstrip("\n") + "\n"


def machine() -> str:
    from importlib import metadata

    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "absent"

    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.machine()}; Python {platform.python_version()}, "
            f"TensorFlow {v('tensorflow')}, Keras {v('keras')}, LiteRT (ai-edge-litert) {v('ai-edge-litert')}, "
            f"numpy {v('numpy')}, Pillow {v('pillow')}")


def rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


# ---------------------------------------------------------------------------- main


def parse(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="~2-3 minutes: fewer images, repetitions and epochs")
    ap.add_argument("--retrain", action="store_true", help="train and convert both models again")
    ap.add_argument("--out", type=Path, default=None,
                    help="work folder for runs and images, and where RESULTS.md goes (default: runs/bench-perf, "
                         "and benchmarks/RESULTS.md)")
    ap.add_argument("--results", type=Path, default=None, help="the RESULTS.md to update (overrides --out's)")
    t = ap.add_argument_group("sizes (mainly for tests)")
    t.add_argument("--synthetic", action="store_true", help="train on the synthetic set even if cxr-dev is present")
    t.add_argument("--synthetic-count", type=int, default=200, help="synthetic training images per class")
    t.add_argument("--images", type=int, default=None, help="images in the folder-throughput test (full 500, quick 100)")
    t.add_argument("--epochs", type=int, default=None, help="training epochs of the two models (full 5, quick 1)")
    t.add_argument("--speed-epochs", type=int, default=None, help="epochs per training-speed fit (full 3, quick 2)")
    t.add_argument("--tta-epochs", type=int, default=None,
                   help="most epochs for time to validation accuracy (full 10, quick 2)")
    t.add_argument("--target-acc", type=float, default=0.85, help="validation accuracy for the time-to-accuracy row")
    t.add_argument("--cold-runs", type=int, default=None, help="timed runs per cold-start process (full 7, quick 3)")
    t.add_argument("--image-size", type=int, default=128, help="model input size (the tutorial's is 128)")
    t.add_argument("--modes", default=None, help=f"TFLite modes to compare (full {','.join(ALL_MODES)}; quick int8,fp32)")
    args = ap.parse_args(argv)
    q = args.quick
    args.results = args.results or (args.out / "RESULTS.md" if args.out else ROOT / "benchmarks" / "RESULTS.md")
    args.out = (args.out or ROOT / "runs" / "bench-perf").resolve()
    args.images = args.images or (100 if q else 500)
    args.epochs = args.epochs or (1 if q else 5)
    args.speed_epochs = max(2, args.speed_epochs or (2 if q else 3))
    args.tta_epochs = args.tta_epochs or (2 if q else 10)
    args.cold_runs = args.cold_runs or (3 if q else 7)
    modes = [m.strip() for m in (args.modes or ("int8,fp32" if q else ",".join(ALL_MODES))).split(",") if m.strip()]
    args.modes = ["int8", *[m for m in modes if m != "int8"]]
    return args


def main(argv=None) -> int:
    args = parse(argv)
    t_start = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    script = Path(sys.executable).parent / "edge-classify"
    edge_cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "edge.cli"]

    load_tensorflow()
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    runs = ensure_runs(args, args.modes)
    folder = args.out / "images-512"
    files = perf_throughput.ensure_images(folder, args.images, log=log)
    image = files[0]

    rows: list[Row] = []
    rows += sizes(runs, args.modes)
    lat_rows, lat = latency(runs, image, args, env)
    rows += lat_rows
    with tempfile.TemporaryDirectory(prefix="cxr-bench-") as tmp:
        cold_rows, cold = cold_start(runs, image, edge_cmd, args, env, Path(tmp))
    rows += cold_rows
    thr_rows, thr = throughput(runs, files, folder, edge_cmd, args, env)
    rows += thr_rows
    train_rows, ts = training(runs, args)
    rows += train_rows
    pi_rows, macs = pi_estimate(runs)
    rows += pi_rows

    from edge.model import EdgeModel
    from train.fit import read_json

    run_info = {a: read_json(runs[a] / "run.json") for a in runs}
    data, tag, classes = data_source(args)
    data_words = ("cxr-dev (real chest X-rays), COVID vs Normal" if data != "synthetic"
                  else f"the SYNTHETIC set ({2 * args.synthetic_count} images)")
    missed = [r.measure for r in rows if r.met is False]
    model_words = ", ".join(f"{a}: {run_info[a]['parameters']:,} parameters, validation accuracy "
                            f"{run_info[a]['validation']['accuracy']:.3f}" for a in runs)
    cmd = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    notes = [
        f"Models: one per architecture, trained here on {data_words} for {args.epochs} epoch(s) "
        f"({model_words}; "
        f"accuracy is not the point here: see the accuracy benchmark) and converted by convert.quantize.run_conversion; "
        f"runs in `{rel(runs['compact'].parent)}`. Edge runtime: {EdgeModel(runs['compact'] / 'model_int8.tflite').runtime}.",
        "Sizes: flatbuffer = the TFLite model proper (`edge.metadata.read(path)[0]`); file = what is copied to the "
        "device, with the embedded labels, preprocessing, calibration and self-test inputs.",
        f"Invoke latency: one preprocessed image (`{Path(image).name}`, 512 px synthetic), batch 1, median and p95 over "
        f"{lat[1]['default_int8']['runs']} calls after warm-up; .tflite through `edge.model.EdgeModel(...).logits(x[None])` "
        f"with `threads=N`; Keras as `model(x, training=False)` in a fresh TensorFlow process with intra/inter-op threads = N.",
        f"Cold start and peak RSS: each whole process run {args.cold_runs} times after one untimed run (warm file cache), "
        f"median wall time; RSS by {cold['method']}. The TF process is the tutorial's way to classify one file: "
        "`keras.models.load_model` + one call, with the same `edge.preprocess`.",
        f"Folder throughput: {thr['images']} SYNTHETIC 512x512 PNGs; `edge-classify DIR --recursive --model M` timed as a "
        f"whole process (median of {1 if args.quick else 3}); the floor runs `edge.preprocess.preprocess_file` on every "
        f"file in this process (plain loop, and a {thr['workers']}-thread pool like `edge.batch.classify_files`).",
        f"Training: same frozen split ({ts.n_train} training, {ts.n_val} validation images), batch {ts.batch_size}, Adam; "
        f"s/epoch = training steps only, mean of epochs 2..{len(ts.seed_ours.train_s)} (ours) and "
        f"2..{len(ts.seed_tutorial.train_s)} (tutorial); the first epoch also builds the graph "
        f"(first epochs: ours {ts.seed_ours.train_s[0]:.1f} s, tutorial {ts.seed_tutorial.train_s[0]:.1f} s). "
        f"Our pipeline decodes each file once (`train.data.scan`: {ts.decode_once_s:.1f} s for training + validation, "
        f"counted in its time to accuracy); the tutorial's decodes and resizes every file in every epoch, in parallel "
        f"with training. Time to accuracy: wall time from the start (validation each epoch included) until the "
        f"validation accuracy first reached the threshold (default: {_acc(ts.default_ours.val_acc)}; "
        f"seed/tutorial: {_acc(ts.seed_tutorial.val_acc)})." + (" " + " ".join(ts.notes) if ts.notes else ""),
        f"Raspberry Pi 4 rows are an ESTIMATE, not a measurement: MACs counted from the Keras layers "
        f"(Conv2D = H_out·W_out·K·K·C_in·C_out, SeparableConv2D = depthwise + pointwise, Dense = in·out; compact "
        f"{macs['compact']:,}, seed {macs['seed']:,}) divided by an effective {perf_macs.PI4_MACS_PER_S / 1e9:.2f} G MAC/s. "
        f"Source: {perf_macs.PI4_SOURCE}. It ignores memory traffic (the seed's int8 Dense layer alone streams "
        f"~{macs_dense_mib(runs['seed']):.0f} MiB of weights per image) and start-up.",
    ]
    if missed:
        notes.append("Targets missed: " + "; ".join(missed) + ". See the notes above for why.")
    header = (f"{SECTION}\n\nCommand: `{cmd}` — {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
              f"took {(time.time() - t_start) / 60:.1f} min.  \nMachine: {machine()}.\n\n"
              "Default = `--arch compact`, int8 through `edge` (no TensorFlow); baseline = the tutorial's pipeline "
              "(`--arch seed`: its CNN at 128x128x3, float32 Keras, `image_dataset_from_directory`). Ratios say how "
              "many times better the default is, or (sizes, floor) what fraction of the baseline it needs.\n\n")
    section = header + render(rows) + "\n\n" + "\n".join(f"{k + 1}. {n}" for k, n in enumerate(notes)) + "\n"
    print(section)
    from train.atomic import write_json, write_text

    old = args.results.read_text() if args.results.is_file() else "# Benchmark results\n"
    write_text(args.results, replace_section(old, section))
    write_json(args.out / "perf.json", {"rows": [r.__dict__ for r in rows], "latency": lat, "cold_start": cold,
                                        "throughput": thr, "training": _ts_dict(ts), "macs": macs,
                                        "command": cmd, "machine": machine()})
    log(f"wrote the '{SECTION[3:]}' section of {args.results} and {args.out / 'perf.json'}")
    return 0


def _acc(accs: list[float]) -> str:
    return ", ".join(f"{a:.2f}" for a in accs) + " by epoch"


def macs_dense_mib(seed_run: Path) -> float:
    """Bytes of the seed's Dense weights in int8 (one byte each), MiB."""
    import keras

    m = keras.models.load_model(seed_run / "model.keras", compile=False)
    return sum(int(np.prod(l.kernel.shape)) for l in m.layers if type(l).__name__ == "Dense") / 2**20


def _ts_dict(ts) -> dict:
    d = {k: v for k, v in ts.__dict__.items() if k not in ("seed_ours", "seed_tutorial", "default_ours")}
    for k in ("seed_ours", "seed_tutorial", "default_ours"):
        d[k] = getattr(ts, k).__dict__
    return d


if __name__ == "__main__":
    sys.exit(main())
