"""What a batch, or the last films of a watch, came to: '13 files: 7 COVID, 4 Normal, 2 failed', counted as the
answers go out (a watch's retried film once, as its last try went) and printed as edge-classify's summary line and
--watch's --tally-every lines. Apart from edge.output, which prints each answer: this counts them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from edge.output import rule_text  # the rule as the CSV's rule column and the stderr note write it


def tally(labelled: Counter[str], labels: list[str], n: int, failed: int, flagged: int, maps_failed: int = 0,
          by_header: int = 0, refused: int = 0, rule: str = "") -> str:
    """'13 files: 7 COVID, 4 Normal, 2 failed; 2 unlike the training images (input check)' (classes in the model's
    order). The counts after the colon add up to ``n``: ``failed`` files got no label. A labelled
    file whose --explain map could not be written is counted apart, as it still has its label. ``by_header`` of the
    ``flagged`` were flagged by their DICOM header (edge.dicom_view), not by the input check. ``refused`` of the
    ``failed`` were refused as flagged (--refuse-atypical) and are counted apart: a film refused by design and one that
    could not be read (a broken file, a copy not finished) both read '2 failed', and only the second needs fixing.
    ``rule`` ('COVID>=0.545', edge.output.rule_text): the threshold rule that gave the labels, said after their counts
    ('1 COVID, 1 Normal by the rule COVID>=0.545'): a summary read alone gave a site's rate of COVID as the model's
    most probable class, where a rule had made every answer."""
    failed -= refused
    classes = [f"{labelled[c]} {c}" for c in labels]
    if rule:
        classes[-1] += f" by the rule {rule}"
    counts = (classes + ([f"{refused} refused"] if refused else [])
              + ([f"{failed} failed"] if failed else []))
    parts = [f"{n} file{'' if n == 1 else 's'}: " + ", ".join(counts)]
    if flagged - by_header:
        parts.append(f"{flagged - by_header} unlike the training images (input check)")
    if by_header:
        parts.append(f"{by_header} no frontal chest film{'' if by_header == 1 else 's'} by {'its' if by_header == 1 else 'their'} "
                     f"DICOM header{'' if by_header == 1 else 's'}")
    if maps_failed:
        parts.append(f"{maps_failed} evidence map{'' if maps_failed == 1 else 's'} not written")
    return "; ".join(parts)


@dataclass
class Tally:
    """What a batch, or the last films of a watch, came to (see :func:`tally`)."""

    labelled: Counter[str] = field(default_factory=Counter)
    images: int = 0
    failed: int = 0  # files with no label
    refused: int = 0  # of failed, those refused as flagged (--refuse-atypical)
    flagged: int = 0
    by_header: int = 0  # of flagged, those flagged by their DICOM header (edge.dicom_view)
    maps: int = 0
    maps_failed: int = 0
    failed_files: dict[str, bool] = field(default_factory=dict)  # file -> refused; a watch may try one again (till removed)
    retries: bool = True  # a watch's; in a batch a file given twice is answered, and counted, twice
    header_failed: dict[str, bool] = field(default_factory=dict)  # of failed_files, those refused by their DICOM header

    def add(self, file: str, label: str | None, flagged: bool = False, mapped: bool = False,
            map_failed: bool = False, by_header: bool = False) -> None:
        """Count one answer (``label`` None: the file failed; ``by_header``: flagged by its DICOM header). A watch
        tries a failed file again when it changes (a copy that had not finished): the file then counts once, as
        its last try went."""
        if self.retries and file in self.failed_files:
            refused = self.failed_files.pop(file)  # a failed film was flagged only where it was refused
            self.flagged -= refused
            self.refused -= refused
            self.by_header -= self.header_failed.pop(file, False)
            self.images -= 1
            self.failed -= 1
        self.images += 1
        self.flagged += bool(flagged)
        self.by_header += bool(flagged and by_header)
        self.maps += mapped
        self.maps_failed += map_failed
        if label is None:
            self.failed += 1
            self.refused += bool(flagged)
            self.failed_files[file] = bool(flagged)
            if flagged and by_header:
                self.header_failed[file] = True
        else:
            self.labelled[label] += 1

    def forget(self, files: Iterable[str]) -> None:
        """Films a watch found removed: a later film under one's name (a PACS export reusing IM0001) is another
        film, not its retry, and a failure among them stays counted."""
        for file in files:
            self.failed_files.pop(file, None)
            self.header_failed.pop(file, None)

    @property
    def any_failed(self) -> bool:
        """Whether the exit code must say something failed: a file without a label, or a missing map."""
        return bool(self.failed or self.maps_failed)

    def line(self, labels: list[str], rule: tuple[int, float] | None = None) -> str:
        """The tally in words (:func:`tally`), its labels' counts said to follow ``rule`` where one is in force."""
        return tally(self.labelled, labels, self.images, self.failed, self.flagged, self.maps_failed, self.by_header,
                     self.refused, rule_text(rule, labels))
