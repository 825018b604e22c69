"""tf.data input pipeline over cached uint8 arrays, with augmentation for acquisition shift.

Images arrive already preprocessed by edge.preprocess (decoded once). Augmentation simulates
what differs between hospitals and devices: exposure (gamma and contrast: no brightness shift of its own), sharpness
(blur), the vendor's post-processing (edge enhancement, local contrast equalisation), detector
noise, positioning (small rotation, zoom, shift, aspect), the film's shape (letterbox bars) and the text that
sites burn into their films (side markers, "PORTABLE"): pasted at random on every class, so a
marker can no longer tell the model which hospital, and so which label, an image came from.
It runs on the training split only, in float 0..255, and is clipped back to the valid range.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

AUTOTUNE = tf.data.AUTOTUNE


def geometric(seed: int, zoom_out: float = 0.35, independent: bool = True) -> keras.Sequential:
    """Small random rotation, zoom and shift; the empty area is filled with the padding value 0.

    Zoom reaches 25% in (a tighter collimation: the 0.85 central crop shift cost 9 points of
    balanced accuracy with only 10%) and 35% out. Height and width zoom independently, so
    padding bars of every shape appear in every class: otherwise the bars that aspect-preserving
    resizing gives landscape (pediatric) films would tell the model which collection an image
    came from. That alone was not enough; ``letterbox`` adds bars of both shapes.
    """
    return keras.Sequential(
        [
            layers.RandomRotation(0.03, fill_mode="constant", seed=seed),  # about +-10 degrees
            layers.RandomZoom((-0.25, zoom_out), (-0.25, zoom_out) if independent else None, fill_mode="constant",
                              seed=seed + 1),
            layers.RandomTranslation(0.06, 0.06, fill_mode="constant", seed=seed + 2),
        ],
        name="geometric_augmentation",
    )


def letterbox(x: tf.Tensor, seed: tf.Tensor, p: float = 0.5, most: float = 0.15) -> tf.Tensor:
    """Blank bars at the top and bottom, or at the left and right, of about half the images (each
    bar up to ``most`` of the side): what edge.preprocess makes of a film of another shape.

    A film's shape tells its collection: cxr-dev's adult Kaggle and NIH films are square, the
    Hannover and children's films landscape, so only theirs had bars, at the top and bottom.
    Cutting the top and bottom 9% of the square test films, which gives them such bars, cost the
    0.7.0 COVID vs Normal models up to 29 points of Normal sensitivity, against 8 when the same crop
    was stretched back to a square. The independent height and width zoom of ``geometric`` had not
    made the bars meaningless. benchmarks/RESULTS.md, "Film shape", has what these bars changed.
    """
    n, side = tf.shape(x)[0], x.shape[1]
    s = tf.random.experimental.stateless_split(seed, 4)
    first = tf.random.stateless_uniform([n, 1], s[0], 0.0, most) * side
    second = tf.random.stateless_uniform([n, 1], s[1], 0.0, most) * side
    idx = tf.cast(tf.range(side), tf.float32)[None, :]
    inside = tf.cast((idx >= first) & (idx < side - second), tf.float32)  # (n, side): 0 on the bars
    rows = _chance(n, s[2], 0.5)
    keep = rows * inside[:, :, None, None] + (1.0 - rows) * inside[:, None, :, None]
    use = _chance(n, s[3], p)
    return x * (use * keep + (1.0 - use))


# Vendor processing: (chance per image, lowest amount, highest amount) of each unsharp mask.
FINE_UNSHARP = (0.3, 0.3, 1.5)
COARSE_UNSHARP = (0.3, 0.2, 0.8)


def photometric(x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """Random gamma, contrast, vendor processing, blur and noise on a float batch in 0..255 (stateless, seeded).

    Digital radiography systems sharpen edges and equalise contrast locally (multi-scale unsharp
    masking), each vendor and site to its own taste. Models trained without it moved 8-24% of
    their answers, and lost up to 12 points of balanced accuracy, when the test films were so
    processed (benchmarks/RESULTS.md, "Vendor processing"). So a fine unsharp mask (one pixel's
    scale) and a coarse one (an eighth of the image) are each added to 30% of the images. With
    them the default models' answers moved about a third less under that processing, COVID vs
    Normal lost nothing under it, and 4 classes lost 8 points instead of 12 under local contrast.
    """
    n = tf.shape(x)[0]
    s = tf.random.experimental.stateless_split(seed, 9)
    gamma = tf.exp(tf.random.stateless_uniform([n, 1, 1, 1], s[0], -0.35, 0.35))
    x = 255.0 * tf.pow(x / 255.0, gamma)
    contrast = tf.random.stateless_uniform([n, 1, 1, 1], s[1], 0.8, 1.2)
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    x = (x - mean) * contrast + mean
    kernel = tf.constant([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
    k2 = tf.reshape(tf.tensordot(kernel, kernel, axes=0), [5, 5, 1, 1])
    k2 = tf.tile(k2, [1, 1, tf.shape(x)[-1], 1])
    blurred = tf.nn.depthwise_conv2d(x, k2, [1, 1, 1, 1], "SAME")
    (p_fine, lo_fine, hi_fine), (p_coarse, lo_coarse, hi_coarse) = FINE_UNSHARP, COARSE_UNSHARP
    fine = tf.random.stateless_uniform([n, 1, 1, 1], s[5], lo_fine, hi_fine) * _chance(n, s[6], p_fine)
    coarse = tf.random.stateless_uniform([n, 1, 1, 1], s[7], lo_coarse, hi_coarse) * _chance(n, s[8], p_coarse)
    x = x + fine * (x - blurred) + coarse * (x - _local_mean(x))
    blurred = tf.nn.depthwise_conv2d(x, k2, [1, 1, 1, 1], "SAME")
    use_blur = _chance(n, s[2], 0.3)
    x = use_blur * blurred + (1 - use_blur) * x
    sigma = tf.random.stateless_uniform([n, 1, 1, 1], s[3], 0.0, 8.0)
    x = x + sigma * tf.random.stateless_normal(tf.shape(x), s[4])
    return tf.clip_by_value(x, 0.0, 255.0)


def _chance(n: tf.Tensor, seed: tf.Tensor, p: float) -> tf.Tensor:
    """Per image, 1.0 with probability p, else 0.0."""
    return tf.cast(tf.random.stateless_uniform([n, 1, 1, 1], seed) < p, tf.float32)


def _local_mean(x: tf.Tensor) -> tf.Tensor:
    """Each pixel's neighbourhood mean at an eighth of the image: pool to 8x8, resize back."""
    side = x.shape[1] or 128
    k = max(1, side // 8)
    return tf.image.resize(tf.nn.avg_pool2d(x, k, k, "SAME"), tf.shape(x)[1:3], "bilinear")


# Amplitude mixing: (chance per image, largest share of a batch-mate's amplitude spectrum,
# lowest frequency mixed as a fraction of the Nyquist frequency; 0 mixes the whole spectrum).
# Off: with it the distilled default called far fewer of an unseen source's healthy films Normal
# (benchmarks/RESULTS.md, Ablations, session 22). benchmarks/ablate.py --ampmix switches it on.
AMPLITUDE_MIX = (0.0, 1.0, 0.0)


def amplitude_mix(x: tf.Tensor, seed: tf.Tensor, p: float, most: float, lowest: float = 0.0) -> tf.Tensor:
    """Give a share of each image's Fourier amplitude spectrum to a batch-mate's, keeping its phase.

    The phase holds where the edges and shapes lie (the anatomy, the disease); the amplitude holds
    much of what a site's detector and processing leave behind (exposure, contrast, sharpness,
    noise texture). Mixing amplitudes between films of different classes and archives, as in
    FACT (Xu et al., CVPR 2021) and FedDG (Liu et al., CVPR 2021), makes those traces useless
    for telling the classes apart. With ``lowest`` > 0 only the finer scales are mixed (grain,
    sharpening), not the broad haze that an opacity also gives. Batches are shuffled, so the
    neighbour in the batch is a random film.
    """
    n, h, w = tf.shape(x)[0], x.shape[1], x.shape[2]
    s = tf.random.experimental.stateless_split(seed, 2)
    spectrum = tf.signal.fft2d(tf.cast(tf.transpose(x, [0, 3, 1, 2]), tf.complex64))
    amplitude, phase = tf.abs(spectrum), tf.math.angle(spectrum)
    fy, fx = np.meshgrid(np.fft.fftfreq(h), np.fft.fftfreq(w), indexing="ij")
    band = tf.constant(np.hypot(fy, fx) / 0.5 >= lowest, tf.float32)  # (h, w)
    share = tf.random.stateless_uniform([n, 1, 1, 1], s[0], 0.0, most) * _chance(n, s[1], p) * band
    mixed = (1.0 - share) * amplitude + share * tf.roll(amplitude, 1, axis=0)
    out = tf.math.real(tf.signal.ifft2d(tf.complex(mixed * tf.cos(phase), mixed * tf.sin(phase))))
    return tf.clip_by_value(tf.transpose(out, [0, 2, 3, 1]), 0.0, 255.0)


MARKER_WORDS = ("L", "R", "AP", "PA", "PORTABLE", "SUPINE", "DCHA", "IZDA", "ERECT", "LEFT", "1", "2")


def marker_bank(size: int) -> np.ndarray:
    """White-on-black renderings of typical burned-in words, scaled to the image: (N, h, w) in 0..1."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(max(6, round(size * 0.07)))
    h, w = max(4, round(size * 0.1)), max(8, round(size * 0.45))
    bank = []
    for word in MARKER_WORDS:
        img = Image.new("L", (w, h), 0)
        ImageDraw.Draw(img).text((1, 0), word, fill=255, font=font)
        bank.append(np.asarray(img, np.float32) / 255.0)
    return np.stack(bank)


def burn_markers(x: tf.Tensor, seed: tf.Tensor, bank: tf.Tensor, p: float = 0.5) -> tf.Tensor:
    """Paste a random marker word at a random place in about half the images of a batch."""
    n, size = tf.shape(x)[0], x.shape[1]
    bh, bw = bank.shape[1], bank.shape[2]
    s = tf.random.experimental.stateless_split(seed, 5)
    idx = tf.random.stateless_uniform([n], s[0], 0, bank.shape[0], tf.int32)
    oy = tf.random.stateless_uniform([n], s[1], 0, size - bh + 1, tf.int32)
    ox = tf.random.stateless_uniform([n], s[2], 0, size - bw + 1, tf.int32)
    canvas = tf.map_fn(lambda a: tf.image.pad_to_bounding_box(tf.gather(bank, a[0])[..., None], a[1], a[2], size, size),
                       (idx, oy, ox), fn_output_signature=tf.float32)
    level = tf.random.stateless_uniform([n, 1, 1, 1], s[3], 170.0, 255.0)
    use = tf.random.stateless_uniform([n, 1, 1, 1], s[4]) < p
    return tf.where(use, tf.maximum(x, canvas * level), x)


def augment_batch(x: tf.Tensor, seed: tf.Tensor, geo: keras.Sequential, bank: tf.Tensor) -> tf.Tensor:
    s = tf.random.experimental.stateless_split(seed, 2)
    framed = letterbox(geo(x, training=True), tf.random.experimental.stateless_fold_in(seed, 1))
    return photometric(burn_markers(framed, s[0], bank), s[1])


def augment_pair(x: tf.Tensor, seed: tf.Tensor, geo: keras.Sequential, bank: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(the student's view, the teacher's view): the same augmented image, but only the student's
    is rotated, zoomed, shifted and letterboxed; exposure, blur, noise and markers are drawn alike in both (the
    markers at the same pixels of each view, so on the student's moved anatomy they lie elsewhere)."""
    s = tf.random.experimental.stateless_split(seed, 2)  # the same draws as augment_batch's
    return augment_batch(x, seed, geo, bank), photometric(burn_markers(x, s[0], bank), s[1])


def augment_two(x: tf.Tensor, seed: tf.Tensor, geo: keras.Sequential, bank: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Two independent augmentations of the same images, for the consistency term (train.distill)."""
    s = tf.random.experimental.stateless_split(seed, 2)
    return augment_batch(x, s[0], geo, bank), augment_batch(x, s[1], geo, bank)


def make_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, training: bool, seed: int = 0,
                 augment: bool = True, teacher_view: bool = False, two_views: bool = False) -> tf.data.Dataset:
    """Batches of (float32 0..255 images, int labels); shuffled and augmented when training.

    With ``teacher_view``, training batches are ((student view, teacher view), labels): see
    augment_pair and train.distill. With ``two_views`` they are ((view, second view), labels),
    two independent augmentations of each image (augment_two)."""
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    ds = ds.map(lambda a, b: (tf.cast(a, tf.float32), b), num_parallel_calls=AUTOTUNE)
    if training and augment:
        geo = geometric(seed)
        bank = tf.constant(marker_bank(x.shape[1]))
        counter = tf.data.Dataset.counter(seed * 1_000_003)
        augment_fn = augment_pair if teacher_view else augment_two if two_views else augment_batch
        mix_chance, mix_most, mix_lowest = AMPLITUDE_MIX

        def augmented(images: tf.Tensor, i: tf.Tensor) -> tf.Tensor:
            draw = tf.stack([i, tf.cast(seed, tf.int64)])
            if mix_chance > 0:  # before the rest, so that both views of augment_pair share it
                images = amplitude_mix(images, tf.random.experimental.stateless_fold_in(draw, 7), mix_chance, mix_most,
                                       mix_lowest)
            return augment_fn(images, draw, geo, bank)

        # One batch at a time: the rotation, zoom and shift layers draw from a stateful seed
        # generator, and batches augmented in parallel would take its draws in whatever order the
        # threads ran, so the same seed trained a different model each time. prefetch still
        # overlaps augmentation with training.
        ds = tf.data.Dataset.zip((ds, counter)).map(lambda batch, i: (augmented(batch[0], i), batch[1]))
    return ds.prefetch(AUTOTUNE)
