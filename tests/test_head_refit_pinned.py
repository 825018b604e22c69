"""convert.head_refit pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change to refit_int8_head or head_inputs in place, which tests/test_head_refit.py let through). They use its
``tiny`` fixture: the session's tiny run, with its Keras model and images."""

from __future__ import annotations

import numpy as np

from tests.test_head_refit import tiny  # noqa: F401 (fixtures)


def test_a_refit_records_the_ridge_it_used_and_the_mean_logit_change_before_it(tiny):
    """metadata head_refit: 'ridge' is the weight the fit used, 'before' the mean |logit change| of the file as
    converted (docs/commands.md), not the largest."""
    from convert.export import convert
    from convert.head_refit import head_inputs, kept_change, refit_int8_head
    from train.fit import logits_of

    model, x_train, _ = tiny
    plain = convert(model, "int8", x_train)
    _, info = refit_int8_head(model, plain, x_train, lambda m: convert(m, "int8", x_train), ridge=0.05)
    assert info["refit"] and info["ridge"] == 0.05
    _, logits, _ = head_inputs(plain, x_train)
    before = np.abs(logits - logits_of(model, x_train)).mean()
    assert info["train_mean_abs_logit_change"]["before"] == kept_change(float(before))


def test_a_file_without_a_float_head_is_left_alone_and_said_so(tiny):
    """int8-full computes its logits in integers: there is no float head to refit (an integer op read as one
    was matched to no Keras layer and said so in other words)."""
    from convert.export import convert
    from convert.head_refit import refit_int8_head

    model, x_train, _ = tiny
    full = convert(model, "int8-full", x_train)
    out, info = refit_int8_head(model, full, x_train, lambda m: convert(m, "int8-full", x_train))
    assert out == full and info == {"refit": False, "why": "no float logits layer"}


def test_a_head_that_is_not_the_mean_of_its_dense_layers_is_refused_before_converting_again(tiny):
    """Logits squashed by tanh after the Dense layer: its kernel matches, but the file's logits are not its output;
    the refit is refused for that reason, never tried."""
    import keras

    from convert.export import convert
    from convert.head_refit import refit_int8_head

    model, x_train, _ = tiny
    scaled = keras.Model(model.inputs, keras.layers.Activation("tanh")(model.outputs[0]))
    plain = convert(scaled, "int8", x_train)
    calls: list[object] = []
    out, info = refit_int8_head(scaled, plain, x_train, lambda m: calls.append(m) or convert(m, "int8", x_train))
    assert out == plain and info["why"] == "the logits are not the mean of the Dense heads" and not calls


def test_two_dense_layers_with_the_same_kernel_are_no_match_for_one_logits_op(tiny):
    """An ensemble of two identical members: each logits op matches both Dense layers, so which to refit is unknown."""
    import keras

    from convert.export import convert
    from convert.head_refit import refit_int8_head
    from train.models import average_logits

    model, x_train, _ = tiny
    members = []
    for _ in range(2):
        member = keras.models.clone_model(model)
        member.set_weights(model.get_weights())
        members.append(member)
    twins = average_logits(members)
    plain = convert(twins, "int8", x_train)
    out, info = refit_int8_head(twins, plain, x_train, lambda m: convert(m, "int8", x_train))
    assert out == plain and info == {"refit": False, "why": "cannot match the int8 model's logits op to one Keras Dense layer"}
