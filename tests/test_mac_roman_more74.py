"""Mac Roman is taken for a MANIFEST.csv only where it is clearly the better reading: never where the Windows
reading is plausible text, ties staying Windows. Up to 0.58.0 a Windows file whose quote touched a word
('“x”and') or whose Czech names sat beside a dash ('Košice' and 'Nord–Sud') was read as Mac Roman ('ìxîand',
'Koöice'), and the á í ý ó ú of Czech, Slovak, Hungarian and Polish names did not count for the Windows reading,
so a code page 1250 file could tip to Mac Roman and lose every one of them."""

from __future__ import annotations

import pytest

from train.manifest import read_manifest
from train.manifest_text import decode

# names whose letters are the same bytes in code pages 1250 and 1252
CENTRAL = ["Košice", "Ružomberok", "Nové Zámky", "Banská Bystrica", "Fakultná nemocnica Trnava", "Žilina", "Prešov",
           "Liptovský Mikuláš", "Všeobecná fakultní nemocnice", "Šumperk", "Ústí nad Labem", "Nyíregyháza", "Pécs",
           "Székesfehérvár", "Kecskemét", "Tatabánya", "Érd", "Kraków", "Rzeszów", "Zielona Góra", "Hradec Králové",
           "KOŠICE", "Zlín"]
WESTERN = ["Hôpital Nord", "Clinique Sainte-Thérèse", "Genève", "Zürich", "Köln", "Düsseldorf", "Straße", "São Paulo",
           "Málaga", "A Coruña", "Saint-Étienne", "Besançon", "Åland", "Göteborg", "Tromsø", "Jyväskylä", "Reykjavík",
           "Forlì", "Nardò", "Niño Jesús", "Sœur Marie", "Œuvre", "l’hôpital", "O’Brien", "Ospedale Sant’Anna"]
PUNCTUATION = ["“x”and", "“Nord”", "Nord–Sud", "‘Süd’", "wait…what", "„Süd“"]


def read(tmp_path, names: list[str], encoding: str) -> list[str]:
    text = "file;source\r\n" + "".join(f"{i}.png;{n}\r\n" for i, n in enumerate(names))
    (tmp_path / "MANIFEST.csv").write_bytes(text.encode(encoding))
    _, rows = read_manifest(tmp_path)
    return [rows[f"{i}.png"]["source"] for i in range(len(names))]


@pytest.mark.parametrize("text", PUNCTUATION)
def test_a_quote_or_dash_touching_a_word_stays_windows(text):
    raw = f"file;source\r\na.png;{text}\r\n".encode("cp1252")
    assert decode(raw) == raw.decode("cp1252")


@pytest.mark.parametrize("encoding", ["cp1252", "cp1250"])
@pytest.mark.parametrize("name", CENTRAL)
@pytest.mark.parametrize("beside", PUNCTUATION + ["Bratislava"])
def test_central_european_names_beside_a_quote_or_dash_stay_as_written(tmp_path, encoding, name, beside):
    assert read(tmp_path, [name, beside], encoding)[0] == name


@pytest.mark.parametrize("encoding", ["cp1252", "cp1250"])
def test_a_whole_sheet_of_central_european_names_stays_as_written(tmp_path, encoding):
    names = CENTRAL + PUNCTUATION
    assert read(tmp_path, names, encoding) == names


def test_a_sheet_of_western_names_stays_as_written(tmp_path):
    names = WESTERN + CENTRAL[:8] + PUNCTUATION
    assert read(tmp_path, names, "cp1252") == names


def test_a_code_page_1250_sheet_with_t_caron_keeps_its_accented_names(tmp_path):
    """ť (a byte code page 1252 leaves undefined) makes the file Latin-1 text; its š are lost either way, but the
    á é of the names beside it are letters of the Windows reading and keep it against Mac Roman's ö ù."""
    names = ["Piešťany", "Košťany", "Banská Bystrica", "Nové Zámky", "Trenčín"]
    got = read(tmp_path, names, "cp1250")
    assert got[2:4] == ["Banská Bystrica", "Nové Zámky"]


@pytest.mark.parametrize("name", ["Röntgen Süd", "Mäntsälä", "Köln-Mülheim", "Zürich", "Hôpital Nord", "Genève",
                                  "Straße", "Ärzte Übersicht", "École", "café", "Saint-Étienne", "München"])
def test_mac_roman_names_are_still_read_as_mac_roman(name):
    assert decode(f"file;source\ra.png;{name}\r".encode("mac_roman")) == f"file;source\ra.png;{name}\r"
