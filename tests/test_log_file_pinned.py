"""edge.log_file pinned where a change would append answers to a log a reader then takes wrongly: the other format,
rows under another header or none, a header written twice or not at all (found by hand mutation testing: each test
here failed with one small change to other_format, _lines, has_header, _rows_of, csv_header_needed,
older_columns or _older in place)."""

from __future__ import annotations

import pytest

from edge.log_file import csv_header_needed, has_header, older_columns, other_format

HEADER = "file,label,probability,p_COVID,p_Normal,atypical,error,rule,header_says,model_sha256\n"
OLDER = "file,label,probability,p_COVID,p_Normal,atypical,error,rule"  # 0.44.0 and earlier


def test_a_log_of_the_same_format_is_appended_to_and_one_of_the_other_is_refused():
    json_log, csv_log = b'{"file": "a.png", "label": "COVID"}\n', HEADER.encode()
    assert other_format(json_log, "json") is None and other_format(csv_log, "csv") is None
    assert other_format(json_log, "csv").startswith("standard output's file holds JSON answers (--json): CSV rows")
    assert other_format(csv_log, "json").startswith("standard output's file holds CSV answers (--csv): JSON lines")
    assert other_format(csv_log, "text").startswith("standard output's file holds CSV answers (--csv): text answers")


def test_a_header_saved_by_excel_with_a_byte_order_mark_and_crlf_is_the_header():
    start = ("\ufeff" + HEADER.replace("\n", "\r\n") + "a.png,COVID,0.9,0.9,0.1,,,,,\r\n").encode()
    assert has_header(start, HEADER) and csv_header_needed(start, HEADER) is False
    assert other_format(start, "json").startswith("standard output's file holds CSV answers")


def test_a_last_line_cut_at_the_reads_limit_is_no_header():
    assert not has_header(HEADER.rstrip("\n").encode(), HEADER)  # no newline yet: the limit cut it, or half written
    assert has_header(None, HEADER)  # unreadable: trusted, no header written again


def test_an_unreadable_log_is_trusted_and_gets_no_header():
    assert csv_header_needed(None, HEADER) is False


@pytest.mark.parametrize("row", ["a.png,COVID,0.9,0.9,0.1,,,,,", "b.png,,,,,,cannot read it,,,"])
def test_rows_without_their_header_are_refused_not_headed(row):
    with pytest.raises(ValueError, match="holds CSV rows without their header"):
        csv_header_needed((row + "\n").encode(), HEADER)


def test_a_guarded_label_is_a_row_of_the_header():
    """A class name starting '=' or '-' is written with a leading ' (edge.spreadsheet): still a row of this header."""
    header = "file,label,probability,p_-x,p_Normal,atypical,error,rule,header_says,model_sha256\n"
    with pytest.raises(ValueError, match="holds CSV rows without their header"):
        csv_header_needed(b"a.png,'-x,0.9,0.9,0.1,,,,,\n", header)


def test_lines_of_the_headers_width_that_are_no_answers_are_notes_and_get_a_header():
    assert csv_header_needed(b"a,,b,c,d,e,,g,h,i\nnote,other,1,2,3,4,5,6,7,8\n", HEADER) is True
    assert csv_header_needed(b"a.png,COVID\n", HEADER) is True  # too few cells: no row of this header


def test_rows_of_an_older_release_without_their_header_are_refused_naming_the_older_header():
    with pytest.raises(ValueError, match=r"put this header back at its top \(file,label,probability,p_COVID,p_Normal,"
                                         r"atypical,error,rule\)"):
        csv_header_needed(b"a.png,COVID,0.9,0.9,0.1,,,\n", HEADER)


def test_rows_of_0_54_without_their_header_are_refused_naming_that_header():
    with pytest.raises(ValueError, match=r"put this header back at its top \(file,label,probability,p_COVID,p_Normal,"
                                         r"atypical,error,rule,header_says\)"):
        csv_header_needed(b"a.png,COVID,0.9,0.9,0.1,,,,\n", HEADER)


def test_an_older_releases_header_is_told_from_another_header():
    older, of_054 = (OLDER + "\n").encode(), (OLDER + ",header_says\n").encode()
    assert older_columns(older, HEADER) == (False, False, False)
    assert older_columns(of_054, HEADER) == (True, False, False)
    assert older_columns(HEADER.encode(), HEADER) is None
    assert older_columns(b"file,label,probability,p_A,p_B,atypical,error,rule\n", HEADER) is None
    assert older_columns(b"file,label,probability,p_COVID,p_Normal,atypical,error,rule,model_sha256\n", HEADER) is None
    assert older_columns(older, OLDER + "\n") is None  # a header without the columns has no older form
    assert older_columns(older, OLDER + ",header_says\n") == (False, False, False)  # 0.44.0's, under 0.53.0's columns
    assert older_columns(None, HEADER) is None
    for start in (older, of_054):
        with pytest.raises(ValueError, match="holds answers with other columns"):
            csv_header_needed(start, HEADER)  # edge.csv_layout appends in the older columns itself, after asking
