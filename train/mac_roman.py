"""Text that is not UTF-8 read as Windows (code page 1252) or as a Mac wrote it: Excel for Mac's "Comma Separated
Values (.csv)" is Mac Roman, whose ö, ü, ô, è are the bytes code page 1252 reads as š, Ÿ, ™ and a control
character. Read as Windows text, 'Röntgen Süd' became 'Ršntgen SŸd' without a word: a ward or source of its own,
apart from the same site's rows saved on Windows. Mac Roman is taken only where the Windows reading puts such a
sign inside a word and the Mac reading gives more of the letters German and French names hold, each after a
letter; Windows text with curly quotes, dashes, ’ or œ stays Windows text."""

from __future__ import annotations

import re

from edge.dicom_text import western_text

# letters of German, French and their neighbours' names, as a word holds them after a letter (Süd, Hôpital, café);
# code page 1252's š and ž too (Košice, Ružomberok: Czech, Slovak and Finnish names, the same bytes in code page
# 1250), or a Windows file holding no other was read as Mac Roman's ö and û ('Koöice'), where it read right up to
# 0.57.0; in capitals only between capitals (KOŠICE), as Mac Roman's ä after a capital begins 'MŠntsŠlŠ' (Mäntsälä)
_NAME_LETTERS = re.compile("(?<=[^\\W\\d_])[äöüßéèêëàâçôîïûùñåøæœšž]|(?<=[A-Z])[ŠŽ](?=[A-Z])")
# Capitals that begin a word (Ärzte, Übersicht, École) before a small letter
_CAPITALS = re.compile("(?<![^\\W\\d_])[ÄÖÜÉÅ](?=[a-z])")
# what code page 1252 (or Latin-1, for its five undefined bytes) reads Mac Roman's letters as (ö: š, ß: §), between
# two letters or beginning a word (Ärzte: €rzte); not ’, œ and dashes, which Windows text holds inside words itself
_SIGNS = "[\u0080-\u009f€‚ƒ„…†‡ˆ‰Š‹‘“”•˜™š›žŽŸ§]"
_STARTS = "[\x81\x8d\x8f\x90\x9d€†ƒ]"  # Mac Roman's Å Ä Ü É begin words; „, ‚ and … before a word are Windows text's
_SIGN_IN_WORD = re.compile(f"(?<=[^\\W\\d_]){_SIGNS}(?=[^\\W\\d_])|(?<![^\\W\\d_]){_STARTS}(?=[a-z])")


def windows_or_mac(raw: bytes) -> str:
    """``raw`` (not UTF-8 as a whole) as code page 1252 text, or as Mac Roman where that is what it is."""
    windows = western_text(raw)  # UTF-8 where it is UTF-8 after all
    if not _SIGN_IN_WORD.search(windows) or windows.encode("utf-8", errors="surrogatepass") == raw:
        return windows
    mac = raw.decode("mac_roman")
    return mac if _name_letters(mac) > _name_letters(windows) else windows


def _name_letters(text: str) -> int:
    return len(_NAME_LETTERS.findall(text)) + len(_CAPITALS.findall(text))
