"""A film of a run's split that this version refuses (a check newer than the run: edge.clear_film's mostly
transparent films, edge.dicom_sign's wrong sign) while its bytes are the ones split.json recorded. DECODE_RULES is not
bumped for a new refusal, so a run's valid cache is still read; once it is gone, cxr-convert decodes the split again
and refuses the run: that line said the film "can no longer be read" with no way forward, and printed its path raw
(a line break in it split the error over two lines)."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from tests.test_clear_film import boxed, with_alpha
from tests.test_image_fuzzed import encode


def test_a_film_this_version_refuses_is_refused_with_the_way_forward_on_one_line(tiny_run, tmp_path):
    from edge.atomic import read_json, write_json
    from edge.preprocess import PreprocessConfig
    from train.cache import WAY, load_part
    from train.data import DataError, Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split_json = read_json(run / "split.json")
    films = tmp_path / "films"
    shutil.copytree(split_json["data_dir"], films)
    entry = split_json["splits"]["test"][0]
    (films / entry["path"]).unlink()
    name = str((films / entry["path"]).parent.relative_to(films) / "clear\nfilm.png")
    data = encode(with_alpha(*boxed(1), "LA"))  # read by 0.50.0, refused as mostly transparent since
    (films / name).write_bytes(data)
    entry.update(path=name, sha256=hashlib.sha256(data).hexdigest())
    write_json(run / "split.json", {**split_json, "data_dir": str(films)})
    shutil.rmtree(run / "cache")
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(read_json(run / "run.json")["preprocess"])
    with pytest.raises(DataError) as refused:
        load_part(run, split, "test", config, progress=False)
    said = str(refused.value)
    assert "\n" not in said and '"' + name.replace("\n", "\\n") + '"' in said
    assert "mostly transparent" in said and WAY in said
