"""When a watch (edge.watch) takes a file, and how often it looks again: the spans and poll counts it goes by.

A film is taken once it has settled, a folder is read again until its stamp has stood, an empty file is
handed out once it has stayed empty long enough, and every file is looked at on a full check: each by a
span on the device's monotonic clock or a count of polls, kept here with why it is what it is. edge.watch
takes them by name, so a test that changes one patches it there (``monkeypatch.setattr(edge.watch, ...)``).
"""

FULL_EVERY = 30  # polls between checks of every file (a minute at the default 2 s interval)
FEW_FAILURES = 100  # failed films stat'ed on every poll however long ago they failed (50 stats a second at most)
# Every span the watch times (RACY_NS, QUIET_NS, EMPTY_NS) is timed on the device's monotonic clock, never its
# date: an NTP step (an hour, either way) would hold every film settling for the step, or take one at once.
# A folder is read again until its time stamp has stood this long by the device's clock: a change
# within the stamp's granularity (2 s on FAT, 1 s on some network shares) would not move it. Timed
# from when this watch first saw the stamp, never by the stamp itself, which is the share's clock:
# with the device's clock ahead, a folder just changed would look long quiet, and a second film
# landing in the same step would wait for the next arrival.
RACY_NS = 3_000_000_000
# A file is taken once its stamp has stood this long by the device's clock, over two polls at least. Two
# polls alone took a film mid-copy where the copier sets the full size first (rsync --preallocate, some
# SMB clients) or rewrites in place, on a share whose time stamps step by a second or two: the stamp
# did not move between polls 0.2 s apart, and an uncompressed film (DICOM, TIFF) decoded from its
# zero-filled tail got a label, while the finished film, under the same stamp, was never answered.
QUIET_NS = 3_000_000_000
# A zero-byte file unchanged this long (both: polls, and time, for short intervals) is a failed
# transfer rather than a copy about to start, and is handed out to get its error line.
EMPTY_POLLS = 10
EMPTY_NS = 30_000_000_000
# A file seen changing on every poll for this long (a copy that never ends, a file written to for ever) is said once
# on stderr: it is not answered until it stops, and went without a word however long that was.
STILL_CHANGING_NS = 600_000_000_000
