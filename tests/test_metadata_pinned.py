"""edge.metadata pinned where a change would run a damaged or foreign model file, refuse a good one, or say the
wrong thing about it (found by hand mutation testing: each test here failed with one small change to attach,
split, field_problem, read, _has_metadata_remnant, _keras_hint or rewrite in place, which the fast tests of
tests/test_damaged_metadata.py, tests/test_model_members.py and kin let through)."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest

from edge.metadata import META_NAME, ModelFileError, attach, read, rewrite, split
from tests.test_damaged_metadata import FLATBUFFER, _file, _meta


@pytest.mark.parametrize("change, said", [
    ({"labels": ["COVID"]}, "labels must be a list of two or more class names, not ['COVID']"),
    ({"temperature": True}, "calibration temperature True is not a number above 0"),  # JSON true is no 1.0
    ({"selftest_tolerance": 0.5000001}, "selftest_tolerance 0.5000001 is not"),
    ({"tflite_bytes": 0, "tflite_sha256": hashlib.sha256(b"").hexdigest()}, "tflite_bytes 0 or tflite_sha256"),
    ({"tflite_bytes": True}, "tflite_bytes True or tflite_sha256"),
    ({"tflite_sha256": None}, "tflite_bytes 1032 or tflite_sha256 is not what cxr-convert writes"),
])
def test_fields_at_the_edge_of_what_cxr_convert_writes_are_refused_by_name(change, said):
    with pytest.raises(ModelFileError, match="^model metadata is damaged: ") as e:
        split(_file(_meta(**change)))
    assert said in str(e.value), str(e.value)


def test_a_tolerance_of_exactly_half_is_read():
    assert split(_file(_meta(selftest_tolerance=0.5)))[1]["selftest_tolerance"] == 0.5


def test_a_file_that_requires_what_this_reader_does_not_know_is_refused_naming_it():
    with pytest.raises(ModelFileError, match=r"^this model needs a newer cxr-edge \(it uses zones, zoom\); update"):
        split(attach(FLATBUFFER, _meta(requires=["zoom", "decision", "zones"])))


def test_labels_txt_is_written_one_class_a_line_and_not_handed_back_as_an_extra_file():
    data = attach(FLATBUFFER, _meta(), {"selftest.npz": b"x"})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("labels.txt") == b"COVID\nNormal\n"
    assert split(data)[2] == {"selftest.npz": b"x"}
    again = rewrite(data, lambda m: {**m, "temperature": 2.0})  # labels.txt once, not twice
    with zipfile.ZipFile(io.BytesIO(again)) as z:
        assert z.namelist().count("labels.txt") == 1


def test_rewrite_refuses_a_file_without_metadata():
    with pytest.raises(ModelFileError, match="^the file has no cxr-edge metadata to rewrite$"):
        rewrite(FLATBUFFER, lambda m: m)


def test_a_run_folder_given_as_the_model_names_four_of_its_files(tmp_path):
    for name in "abcde":
        (tmp_path / f"{name}.tflite").write_bytes(b"")
    with pytest.raises(ModelFileError) as e:
        read(tmp_path)
    assert str(e.value) == (f"{tmp_path}: is a directory, not a model file; it holds a.tflite, b.tflite, c.tflite, "
                            f"d.tflite: give one of them, e.g. {tmp_path / 'a.tflite'}")


def test_a_foreign_file_that_mentions_the_metadata_name_outside_a_zip_header_is_foreign():
    """b"PK\\x03\\x04" 30 bytes before the name, but a name length that is not 13: no remnant of attach()'s archive."""
    fake = b"PK\x03\x04" + bytes(22) + (99).to_bytes(2, "little") + bytes(2) + META_NAME.encode() + bytes(3)
    assert split(FLATBUFFER + fake)[1] is None


def _keras_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("config.json", "{}")
        z.writestr("model.weights.h5", b"")
    return buf.getvalue()


@pytest.mark.parametrize("data, name, said", [
    (_keras_zip(), "model.zip", "; it is a Keras model: convert it with cxr-convert RUN first"),
    (b"not a model", "MODEL.KERAS", "; it is a Keras model: convert it with cxr-convert RUN first"),
    (b"\x89HDF\r\n\x1a\n" + bytes(8), "m.h5", "; it is an HDF5 file (a Keras .h5 model?)"),
])
def test_a_keras_model_given_for_a_tflite_is_named_with_the_way_on(data, name, said):
    with pytest.raises(ModelFileError, match=r"^not a TensorFlow Lite model \(no TFL3 identifier\); ") as e:
        split(data, name)
    assert said in str(e.value)
