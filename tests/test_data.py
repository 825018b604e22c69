"""train.data and train.hygiene: layouts, a deterministic stratified split, duplicates kept together."""

from __future__ import annotations

import hashlib
import io
import random
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.preprocess import PreprocessConfig
from train.data import DataError, Item
from train.discovery import discover
from train.scan import scan
from train.split import stratified_split
from train.hygiene import duplicate_groups, fingerprint
from train.synthetic import render


def write_images(folder: Path, label: str, n: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        p = folder / f"{label.lower()}-{i:03d}.png"
        Image.fromarray(render(label, np.random.default_rng([7, i, len(label)]), (96, 96))).save(p)
        paths.append(p)
    return paths


def test_folder_per_class(tmp_path):
    write_images(tmp_path / "COVID", "COVID", 3)
    write_images(tmp_path / "Normal", "Normal", 4)
    items, given, layout = discover(tmp_path)
    assert layout == "folder per class" and given is None
    assert sorted({i.label for i in items}) == ["COVID", "Normal"] and len(items) == 7


def test_kaggle_layout_ignores_masks(tmp_path):
    for c in ("COVID", "Normal"):
        write_images(tmp_path / c / "images", c, 3)
        write_images(tmp_path / c / "masks", c, 3)
    items, _, layout = discover(tmp_path, ["COVID", "Normal"])
    assert layout.startswith("kaggle")
    assert len(items) == 6 and all("/images/" in i.path for i in items)
    # The discovery line says what it passed over: masks, and classes --classes left out.
    from train.prepare import find_films

    write_images(tmp_path / "Viral Pneumonia" / "images", "Viral_Pneumonia", 1)
    said = []
    find_films(tmp_path, ["COVID", "Normal"], [], said.append)
    assert said == ["found 6 images in 2 classes (kaggle (CLASS/images)); not used: masks/ folders, class folder Viral "
                    "Pneumonia (not in --classes)"]
    said.clear()
    find_films(tmp_path / "COVID" / "..", None, [], said.append)
    assert said == ["found 7 images in 3 classes (kaggle (CLASS/images)); not used: masks/ folders"]


def test_train_test_layout_is_kept(tmp_path):
    for part, n in (("train", 6), ("test", 2)):
        for c in ("COVID", "Normal"):
            write_images(tmp_path / part / c, c, n, start=0 if part == "train" else 100)
    items, given, layout = discover(tmp_path)
    assert layout == "train/test folders"
    parts = stratified_split(items, list(range(len(items))), 0, 0.25, 0.25, given)
    assert {i.path.split("/")[0] for i in parts["test"]} == {"test"}
    assert len(parts["test"]) == 4 and len(parts["val"]) >= 2


def test_class_selection_and_errors(tmp_path):
    write_images(tmp_path / "COVID", "COVID", 2)
    write_images(tmp_path / "Normal", "Normal", 2)
    (tmp_path / "Empty").mkdir()
    with pytest.raises(DataError, match="Empty.*no images"):
        discover(tmp_path)
    with pytest.raises(DataError, match="Pneumonia.*not found"):
        discover(tmp_path, ["COVID", "Pneumonia"])
    items, _, _ = discover(tmp_path, ["COVID", "Normal"])
    assert len(items) == 4
    with pytest.raises(DataError, match="does not exist"):
        discover(tmp_path / "nope")
    items, _, _ = discover(tmp_path, ["covid", "normal"])  # --classes matches folders ignoring case, as --class-map
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]  # the label is the folder's own name
    a_file = next((tmp_path / "COVID").iterdir())
    with pytest.raises(DataError, match="is a file; give the folder that holds a sub-folder per class"):
        discover(a_file)


def make_items(n_per_class: dict[str, int]) -> list[Item]:
    return [Item(f"{c}/{c}-{k:03d}.png", c, sha256=f"{c}{k}") for c, n in n_per_class.items() for k in range(n)]


def test_split_is_stratified_deterministic_and_order_independent():
    items = make_items({"COVID": 40, "Normal": 60})
    a = stratified_split(items, list(range(100)), 3, 0.15, 0.15)
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    b = stratified_split(shuffled, [items.index(i) for i in shuffled], 3, 0.15, 0.15)
    assert {k: [i.path for i in v] for k, v in a.items()} == {k: [i.path for i in v] for k, v in b.items()}
    assert sum(i.label == "COVID" for i in a["test"]) == 6 and sum(i.label == "Normal" for i in a["test"]) == 9
    assert sum(len(v) for v in a.values()) == 100
    c = stratified_split(items, list(range(100)), 4, 0.15, 0.15)
    assert [i.path for i in c["test"]] != [i.path for i in a["test"]]


def test_groups_stay_on_one_side():
    items = make_items({"COVID": 30, "Normal": 30})
    groups = [k // 3 for k in range(60)]  # triples of near-duplicates
    parts = stratified_split(items, groups, 0, 0.2, 0.2)
    where = {i.path: name for name, v in parts.items() for i in v}
    for g in set(groups):
        assert len({where[items[k].path] for k in range(60) if groups[k] == g}) == 1


def test_duplicates_found_after_reencoding_and_resizing(tmp_path):
    base = render("COVID", np.random.default_rng(0), (200, 200))
    other = render("COVID", np.random.default_rng(1), (200, 200))
    resized = np.asarray(Image.fromarray(base).resize((170, 170), Image.Resampling.LANCZOS))
    buf = io.BytesIO()
    Image.fromarray(base).save(buf, "JPEG", quality=85)
    jpeg = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    prints = [fingerprint(x) for x in (base, resized, jpeg, other)]
    groups, stats = duplicate_groups(["a", "b", "c", "d"], np.array([p[0] for p in prints], np.uint64),
                                     np.stack([p[1] for p in prints]))
    assert groups[0] == groups[1] == groups[2] != groups[3]
    assert stats["near_duplicate_pairs"] == 3 and stats["exact_duplicate_pairs"] == 0
    groups, stats = duplicate_groups(["a", "a"], np.array([prints[0][0], prints[3][0]], np.uint64),
                                     np.stack([prints[0][1], prints[3][1]]))
    assert groups[0] == groups[1] and stats["exact_duplicate_pairs"] == 1


def test_exact_copies_are_counted_as_pairs_and_an_older_runs_count_as_at_least():
    """Three films of the same bytes are three pairs, as resized copies are counted (they were counted 2,
    the films beyond the first); a run of 0.45.0 or before, which stored that, is said as 'at least'."""
    from train.hygiene import duplicates_text

    films = [render("COVID", np.random.default_rng(k), (64, 64)) for k in range(4)]
    prints = [fingerprint(f) for f in films]
    groups, stats = duplicate_groups(["a", "a", "a", "b"], np.array([p[0] for p in prints], np.uint64),
                                     np.stack([p[1] for p in prints]))
    assert groups[:3] == [0, 0, 0] and groups[3] == 3
    assert (stats["exact_duplicate_pairs"], stats["exact_duplicate_films"], stats["images_in_duplicate_groups"]) == (3, 2, 3)
    assert duplicates_text(stats).startswith("3 films are copies of another (1 group: 3 exact, 0 resized")
    older = {k: v for k, v in stats.items() if k != "exact_duplicate_films"} | {"exact_duplicate_pairs": 2}
    assert duplicates_text(older).startswith("3 films are copies of another (1 group: at least 2 exact, 0 resized")
    for n in (0, 1):  # no copy, or one film beyond the first of its bytes: that many pairs
        assert duplicates_text({**older, "exact_duplicate_pairs": n}).startswith(f"3 films are copies of another (1 group: {n} exact")


def test_scan_skips_bad_files_and_hashes_good_ones(tmp_path):
    write_images(tmp_path / "COVID", "COVID", 2)
    (tmp_path / "COVID" / "broken.png").write_bytes(b"not a png")
    items = [Item(p.relative_to(tmp_path).as_posix(), "COVID") for p in sorted((tmp_path / "COVID").iterdir())]
    res = scan(tmp_path, items, PreprocessConfig(size=32), progress=False)
    assert len(res.items) == 2 and res.x.shape == (2, 32, 32, 1)
    assert res.skipped == [{"path": "COVID/broken.png", "error": "not a readable image (unknown or corrupt format)",
                            "sha256": hashlib.sha256(b"not a png").hexdigest()}]  # a repaired copy is then seen
    assert all(len(i.sha256) == 64 for i in res.items)


def test_scan_says_why_a_file_cannot_be_read_in_words(tmp_path):
    """A broken link or a folder named like a film: the reason edge-classify gives, not '[Errno 2] ...'."""
    write_images(tmp_path / "COVID", "COVID", 2)
    (tmp_path / "COVID" / "gone.png").symlink_to(tmp_path / "nowhere.png")
    (tmp_path / "COVID" / "folder.png").mkdir()
    items = [Item(p.relative_to(tmp_path).as_posix(), "COVID") for p in sorted((tmp_path / "COVID").iterdir())]
    res = scan(tmp_path, items, PreprocessConfig(size=32), progress=False)
    assert len(res.items) == 2
    assert sorted((s["path"], s["error"]) for s in res.skipped) == [
        ("COVID/folder.png", "is a directory, not an image file"), ("COVID/gone.png", "no such file")]


def test_scan_skips_a_file_whose_decoder_fails_in_any_way(tmp_path, monkeypatch):
    """Whatever a decoder raises for one file (here a RuntimeError) skips that file with its reason;
    it never ends a cxr-train, cxr-evaluate or cxr-compare run."""
    import train.scan as scan_module

    write_images(tmp_path / "COVID", "COVID", 3)
    real = scan_module.read_film

    def read_film(content: bytes, path) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        if Path(path).name == "covid-001.png":
            raise RuntimeError("decoder bug\nmore")
        return real(content, path)

    monkeypatch.setattr(scan_module, "read_film", read_film)
    items = [Item(p.relative_to(tmp_path).as_posix(), "COVID") for p in sorted((tmp_path / "COVID").iterdir())]
    res = scan(tmp_path, items, PreprocessConfig(size=32), progress=False)
    assert [i.path for i in res.items] == ["COVID/covid-000.png", "COVID/covid-002.png"]
    assert [{k: v for k, v in f.items() if k != "sha256"} for f in res.skipped] == [
        {"path": "COVID/covid-001.png", "error": "cannot decode (RuntimeError: decoder bug)"}]


def test_scan_decodes_a_film_short_of_memory_beside_others_again_alone(tmp_path, monkeypatch):
    """cxr-train decodes with up to 8 threads: a film that ran out of memory beside the others was skipped as
    unreadable for good (and a rerun said 'nothing to do'); it is decoded again alone after the pool, as
    edge-classify does, in its place among the films, and a film still short of memory alone is said as such."""
    import threading

    import train.scan as scan_module
    from edge.memory import OUT_OF_MEMORY

    write_images(tmp_path / "COVID", "COVID", 4)
    real = scan_module.read_film

    def read_film(content: bytes, path) -> tuple[np.ndarray, tuple[int, int, int, int]]:
        name = Path(path).name
        if name == "covid-003.png" or name == "covid-001.png" and threading.current_thread() is not threading.main_thread():
            raise MemoryError()  # 001 fits alone; 003 never does
        return real(content, path)

    monkeypatch.setattr(scan_module, "read_film", read_film)
    items = [Item(p.relative_to(tmp_path).as_posix(), "COVID") for p in sorted((tmp_path / "COVID").iterdir())]
    res = scan(tmp_path, items, PreprocessConfig(size=32), progress=False, crops=True)
    assert [i.path for i in res.items] == ["COVID/covid-000.png", "COVID/covid-001.png", "COVID/covid-002.png"]
    alone = [scan(tmp_path, [Item(i.path, "COVID")], PreprocessConfig(size=32), progress=False, crops=True)
             for i in res.items]
    for k, r in enumerate(alone):  # each film's rows kept in step with its name
        assert (r.x[0] == res.x[k]).all() and r.dhash[0] == res.dhash[k] and (r.thumbs[0] == res.thumbs[k]).all()
        assert all((mine[0] == ours[k]).all() for mine, ours in zip(r.crops, res.crops)) and len(res.crops) == 4
        assert r.traits == [res.traits[k]] and r.drawn[0] == res.drawn[k]
    assert [i.sha256 for i in res.items] == [r.items[0].sha256 for r in alone]
    assert [{k: v for k, v in f.items() if k != "sha256"} for f in res.skipped] == [
        {"path": "COVID/covid-003.png", "error": f"{OUT_OF_MEMORY} (also alone: this film needs more memory than is free)"}]


def test_scan_reads_a_dicom_with_a_zero_window_and_skips_one_pydicom_cannot_apply(tmp_path):
    """The tester's case: WindowCenter=2048, WindowWidth=0 among good films stopped cxr-evaluate with
    pydicom's 'Window Width must be greater than or equal to 1'."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    from tests.test_dicom import make_dicom, ramp, resave

    write_images(tmp_path / "COVID", "COVID", 2)
    (tmp_path / "COVID" / "zero-window.dcm").write_bytes(make_dicom(ramp(), window=(2048, 0)))
    lut = Dataset()
    lut.add_new(0x00283002, "US", [4096, 0, 9])  # 9 bits an entry: pydicom raises NotImplementedError
    lut.add_new(0x00283006, "US", list(range(4096)))
    (tmp_path / "COVID" / "odd-lut.dcm").write_bytes(resave(make_dicom(ramp()), VOILUTSequence=Sequence([lut])))
    items, _, _ = discover(tmp_path, min_classes=1)
    res = scan(tmp_path, items, PreprocessConfig(size=32), progress=False)
    assert sorted(i.path for i in res.items) == ["COVID/covid-000.png", "COVID/covid-001.png", "COVID/zero-window.dcm"]
    assert [s["path"] for s in res.skipped] == ["COVID/odd-lut.dcm"]
    assert res.skipped[0]["error"].startswith("cannot decode DICOM (its VOI LUT Sequence cannot be applied: '9' bits per "
                                              "LUT entry is not supported")


def test_a_copy_group_given_as_val_and_test_goes_to_test():
    """A copy group with films in a given val/ and a given test/ folder goes to test, the part the user set aside."""
    from train.data import Item
    from train.split import stratified_split
    items = [Item("val/A/a.png", "A"), Item("test/A/a.png", "A"), Item("train/A/b.png", "A")]
    given = {"val/A/a.png": "val", "test/A/a.png": "test", "train/A/b.png": "train"}
    parts = stratified_split(items, [0, 0, 2], 0, 0.0, 0.0, given, log=[].append)
    assert [i.path for i in parts["test"]] == ["test/A/a.png", "val/A/a.png"]


def test_copies_with_conflicting_labels_stay_on_one_side():
    """Copies labelled otherwise (a COVID film and its Normal-labelled twin) still stay on one side of the split."""
    from train.data import Item
    from train.split import stratified_split
    items = [Item(f"{c}/{k}.png", c) for c in ("A", "B") for k in range(20)]
    groups = list(range(40))
    groups[20] = 0  # B/0.png is a copy of A/0.png, labelled otherwise
    for seed in range(10):
        parts = stratified_split(items, groups, seed, 0.2, 0.2, log=[].append)
        where = {i.path: n for n, v in parts.items() for i in v}
        assert where["A/0.png"] == where["B/0.png"]


def test_near_duplicates_are_those_within_ten_bits_of_dhash_at_most():
    """The documented rule (run.json: dHash at most 10 bits apart, thumbnails correlated): a pair exactly 10 bits
    apart is a copy, one 11 bits apart is not, however alike the thumbnails."""
    from train.hygiene import NEAR_DUPLICATE_BITS, duplicate_groups

    assert NEAR_DUPLICATE_BITS == 10
    far = 0xFFFF_FFFF_FFFF_FFFF
    hashes = np.array([0, (1 << 10) - 1, far, far ^ ((1 << 11) - 1)], np.uint64)
    thumbs = np.full((4, 16), 0.25, np.float32)  # unit vectors, all alike: correlation 1
    groups, stats = duplicate_groups(["a", "b", "c", "d"], hashes, thumbs)
    assert groups == [0, 0, 2, 3] and stats["near_duplicate_pairs"] == 1


def test_a_split_of_copy_groups_or_patients_does_not_depend_on_listing_order():
    """Units of several films (copy groups, a patient's films) were keyed by whichever film was listed
    first: the same films and seed split another way on another file system (os.scandir's order)."""
    items = make_items({"COVID": 60, "Normal": 60})
    groups = [k // 3 for k in range(120)]  # triples of copies (or of one patient's films), each film its own bytes
    a = stratified_split(items, groups, 3, 0.15, 0.15)
    for r in range(5):
        order = list(range(120))
        random.Random(r).shuffle(order)
        b = stratified_split([items[k] for k in order], [groups[k] for k in order], 3, 0.15, 0.15)
        assert {k: [i.path for i in v] for k, v in a.items()} == {k: [i.path for i in v] for k, v in b.items()}


def _patients_named(form: str) -> tuple[list[Item], list[int]]:
    """24 films a class, two a patient (f0000.png with é0001.png, ...), the accented names in Unicode ``form``."""
    items, groups = [], []
    for c in ("COVID", "Normal"):
        for k in range(24):
            name = unicodedata.normalize(form, f"é{k:04d}.png" if k % 2 else f"f{k:04d}.png")
            items.append(Item(f"{c}/{name}", c, sha256=hashlib.sha256(f"{c}{k}".encode()).hexdigest()))
            groups.append(len(groups) // 2)
    return items, groups


def test_a_split_of_patients_is_the_same_whatever_unicode_form_their_films_names_are_in():
    """A patient was keyed by the bytes of its first film by path, and each part sorted by path: the same films named
    in NFD (a zip made on a Mac, an HFS+ copy) put é0001.png before f0000.png, keyed the patient otherwise, and sent
    other patients to test (hunt 56: 12 of 40 films' test membership differed), and trained in another order."""
    nfc = stratified_split(*_patients_named("NFC"), 0, 0.2, 0.2, log=[].append)
    nfd = stratified_split(*_patients_named("NFD"), 0, 0.2, 0.2, log=[].append)
    assert {k: [(unicodedata.normalize("NFC", i.path), i.sha256) for i in v] for k, v in nfd.items()} == \
           {k: [(i.path, i.sha256) for i in v] for k, v in nfc.items()}


def test_a_split_of_patients_with_ascii_or_composed_names_is_drawn_as_before():
    """Making the split Unicode-form-independent must not redraw a split of films named in ASCII or NFC: every run
    already trained (and every frozen benchmark) would move. The parts below are those of cxr-edge 0.39.0."""
    rng = random.Random(5)
    items, groups = [], []
    stems = ["IM-0{:03d}-0001.jpeg", "person{}_virus.png", "Élève {}.png", "scan_{}.PNG", "x{}.png"]
    for c in ("COVID", "Normal"):
        for g in range(14):  # patients of 1 to 3 films, named so that the first listed is often not first by name
            for k in range(rng.choice([1, 2, 3])):
                items.append(Item(f"{c}/{stems[(g + k) % 5].format(100 * g + k)}", c,
                                  sha256=hashlib.sha256(f"{c}/{g}/{k}".encode()).hexdigest()))
                groups.append(2 * g + (c == "Normal"))
    parts = stratified_split(items, groups, 0, 0.2, 0.2, log=[].append)
    assert [i.path for i in parts["val"]] == [
        "COVID/IM-0000-0001.jpeg", "COVID/person1_virus.png", "COVID/scan_300.PNG", "COVID/x301.png",
        "COVID/Élève 1200.png", "COVID/Élève 2.png", "Normal/IM-0401-0001.jpeg", "Normal/person600_virus.png",
        "Normal/scan_1300.PNG", "Normal/scan_300.PNG", "Normal/x1301.png", "Normal/x400.png"]
    assert [i.path for i in parts["test"]] == [
        "COVID/person600_virus.png", "COVID/scan_201.PNG", "COVID/scan_602.PNG", "COVID/x202.png",
        "COVID/Élève 200.png", "COVID/Élève 601.png", "Normal/IM-0500-0001.jpeg", "Normal/person1100_virus.png",
        "Normal/person501_virus.png", "Normal/scan_201.PNG", "Normal/Élève 200.png", "Normal/Élève 502.png"]
    assert [i.path for i in parts["train"]] == sorted(i.path for i in items if i not in parts["val"] + parts["test"])


def test_val_and_test_fractions_are_each_their_own():
    """--val-fraction 0.25 with --test-fraction 0.10 gave validation the test's share (their defaults
    are equal, so only a user who sets them apart met it)."""
    items = make_items({"COVID": 100, "Normal": 100})
    parts = stratified_split(items, list(range(200)), 0, 0.25, 0.10)
    assert (len(parts["val"]), len(parts["test"]), len(parts["train"])) == (50, 20, 130)


def test_copy_groups_no_larger_than_a_target_plus_one_split_as_they_always_did():
    """Units larger than twice a part's target are left to training (train.split._placed); units of at most
    target + 1 films must split as before, or every frozen split and benchmark made from them would move."""
    rng = random.Random(0)
    for seed in range(20):
        items, groups, g = [], [], 0
        for label, n in (("COVID", 40), ("Normal", 90), ("Viral", 17)):
            films = 0
            while films < n:
                size = min(rng.choice([1, 1, 2, 3]), n - films)
                items += [Item(f"{label}/{g:03d}-{k}.png", label, sha256=f"{label}{g}-{k}") for k in range(size)]
                groups += [g] * size
                g, films = g + 1, films + size
        parts = stratified_split(items, groups, seed, 0.15, 0.15)
        # the rule before: a unit of any size goes to test, then val, while the part is under its target
        units = {}
        for it, u in zip(items, groups):
            units.setdefault(u, []).append(it)
        key = lambda u: hashlib.sha256(f"{seed}:{sorted(u, key=lambda i: i.path)[0].sha256}".encode()).hexdigest()
        expected = {"train": [], "val": [], "test": []}
        for label in ("COVID", "Normal", "Viral"):
            ours = sorted((u for u in units.values() if u[0].label == label), key=key)
            n = sum(map(len, ours))
            targets, filled = {"test": round(n * 0.15), "val": round(n * 0.15)}, {"test": 0, "val": 0}
            for u in ours:
                part = next((p for p in ("test", "val") if filled[p] < targets[p]), "train")
                filled[part] = filled.get(part, 0) + len(u)
                expected[part] += [i.path for i in u]
        assert {k: [i.path for i in v] for k, v in parts.items()} == {k: sorted(v) for k, v in expected.items()}, seed
