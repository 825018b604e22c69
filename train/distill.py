"""Knowledge distillation: one small model learns to match a bigger model's softened predictions.

Why: an ensemble of three compact models (cxr-train --members 3) is more accurate and better
calibrated than one, but three times the file and the device compute. A single compact model
trained on the ensemble's probabilities as well as the labels keeps much of that gain at one
model's size (Hinton et al. 2015, "Distilling the knowledge in a neural network").

What the teacher sees (``teacher_view``): by default ("same") exactly the student's augmented
view, so it also teaches how an X-ray under shifted exposure or position should be read, and
the student inherits the teacher's reaction to framing. With "unmoved" the teacher sees the
image before the student's random rotation, zoom and shift, so the student is asked to read a
moved film as the teacher reads it in place. Measured on cxr-dev (benchmarks/RESULTS.md,
"Ablations", session 5) it is not a better default: on the COVID vs Normal seed-0 split its three
students held up better under a 0.85 central crop, but not on the second split, and on four
classes they lost about 2 points of balanced accuracy, with a higher log-loss.

Consistency (``consistency``, off by default): the student also sees a second, independent
augmentation of each film (other exposure, blur, noise, markers, rotation, zoom and shift), and
the loss adds the Jensen-Shannon divergence between its two answers (as in AugMix, Hendrycks et
al. 2020). Augmentation alone shows the model every class at every framing, but the model can
still read framing as evidence where the classes were framed differently (on cxr-dev a tighter
field of view looks like COVID); this term penalises any answer that moves with the view. On
cxr-dev (benchmarks/RESULTS.md, "Ablations", session 9) a weight of 10 made the answers move
about a third less under the simulated shifts, but the score under a 0.85 crop gained only about
a point on the two-class tasks, and four-class balanced accuracy fell by 3 points: not the default.
"""

from __future__ import annotations

import keras
import tensorflow as tf


def distillation_loss(teacher_logits: tf.Tensor, student_logits: tf.Tensor, labels: tf.Tensor,
                      temperature: float, alpha: float) -> tf.Tensor:
    """Per-sample loss: alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * CE(labels, student).

    T^2 keeps the soft term's gradients on the scale of the hard term's as T changes.
    """
    t = tf.nn.softmax(teacher_logits / temperature)
    kl = tf.reduce_sum(t * (tf.math.log(t + 1e-8) - tf.nn.log_softmax(student_logits / temperature)), axis=-1)
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32), student_logits)
    return alpha * temperature**2 * kl + (1.0 - alpha) * ce


def js_divergence(logits_a: tf.Tensor, logits_b: tf.Tensor) -> tf.Tensor:
    """Per-sample Jensen-Shannon divergence between two softmax predictions (0 when they agree)."""
    la, lb = tf.nn.log_softmax(logits_a), tf.nn.log_softmax(logits_b)
    pa, pb = tf.exp(la), tf.exp(lb)
    lm = tf.math.log(0.5 * (pa + pb) + 1e-8)
    return 0.5 * tf.reduce_sum(pa * (la - lm), -1) + 0.5 * tf.reduce_sum(pb * (lb - lm), -1)


class Distiller(keras.Model):
    """Wraps the student for fit(): predictions are the student's, the loss also asks the teacher."""

    def __init__(self, student: keras.Model, teacher: keras.Model, temperature: float = 2.0, alpha: float = 0.7,
                 consistency: float = 0.0):
        super().__init__()
        self.student, self.teacher = student, teacher
        self.teacher.trainable = False
        self.temperature, self.alpha, self.consistency = temperature, alpha, consistency

    def call(self, x, training=False):
        student_view = x[0] if isinstance(x, (tuple, list)) else x
        return self.student(student_view, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        # A training batch may be a pair: with consistency, (view, second view of the same films;
        # train.pipeline.augment_two); otherwise (student's view, teacher's view; augment_pair).
        # Validation batches are one view.
        second_view = isinstance(x, (tuple, list)) and self.consistency > 0
        teacher_view = x if not isinstance(x, (tuple, list)) else x[0] if second_view else x[1]
        per = distillation_loss(self.teacher(teacher_view, training=False), y_pred, tf.reshape(y, [-1]), self.temperature, self.alpha)
        if second_view:
            per = per + self.consistency * js_divergence(y_pred, self.student(x[1], training=training))
        if sample_weight is not None:  # class weights, as for a plain fit
            per = per * tf.cast(tf.reshape(sample_weight, [-1]), per.dtype)
        return tf.reduce_mean(per)
