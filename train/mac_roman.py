"""Text that is not UTF-8 read as Windows (code page 1252) or as a Mac wrote it: Excel for Mac's "Comma Separated
Values (.csv)" is Mac Roman, whose ö, ü, ô, è are the bytes code page 1252 reads as š, Ÿ, ™ and a control
character. Read as Windows text, 'Röntgen Süd' became 'Ršntgen SŸd' without a word: a ward or source of its own,
apart from the same site's rows saved on Windows. Mac Roman is taken only where it is clearly better: the Windows
reading puts a sign inside a word that Windows text never holds there (Ÿ, ™, §, a control character), and the
Mac reading gives more of the letters German and French names hold than the Windows reading has letters past
ASCII (Czech á í ý too); a tie stays Windows. Windows text with curly quotes touching a word ('“x”and'), dashes,
…, ’, œ, š or ž stays Windows text, so a Mac file whose only accents read as those (Noël: 'No‘l') does too."""

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
# the Windows reading's letters: every small letter past ASCII after a letter (Czech, Slovak, Hungarian and Polish
# á í ý ó ú, or code page 1250's read as 1252: ì ò õ; counting only the German and French ones, a Košice beside a
# Nová Ves tipped to Mac Roman) and every capital past ASCII that begins a word (Ústí, Érd)
_WINDOWS_LETTERS = re.compile("(?<=[^\\W\\d_])[ß-öø-ÿšžœ]|(?<=[A-Z])[ŠŽ](?=[A-Z])|(?<![^\\W\\d_])[À-ÖØ-ÝŠŽ](?=[a-z])")
# what code page 1252 (or Latin-1, for its five undefined bytes) reads Mac Roman's letters as (ü: Ÿ, ß: §), between
# two letters or beginning a word (Ärzte: €rzte), and that Windows text never holds there. Not š and ž (Czech and
# Slovak letters), Š and Ž between capitals (KOŠICE), ’ ‘ “ ” (a quote with no space after it: “x”and), … (wait…what),
# dashes and œ: counted, a Windows file holding those and a Mac letter's look-alike was read as Mac Roman
_SIGNS = "[\u0080-\u009f€‚ƒ„†‡ˆ‰‹•˜™›Ÿ§]"
_STARTS = "[\x81\x8d\x8f\x90\x9d€†ƒ]"  # Mac Roman's Å Ä Ü É begin words; „, ‚ and … before a word are Windows text's
_SIGN_IN_WORD = re.compile(f"(?<=[^\\W\\d_]){_SIGNS}(?=[^\\W\\d_])|(?<![^\\W\\d_]){_STARTS}(?=[a-z])"
                           "|(?<=[a-zß-öø-ÿ])[ŠŽ]|(?<=[^\\W\\d_])[ŠŽ](?=[a-z])")  # Mac's ä, é: 'MŠntsŠlŠ', 'cafŽ'


def windows_or_mac(raw: bytes) -> str:
    """``raw`` (not UTF-8 as a whole) as code page 1252 text, or as Mac Roman where that is what it is."""
    windows = western_text(raw)  # UTF-8 where it is UTF-8 after all
    if not _SIGN_IN_WORD.search(windows) or windows.encode("utf-8", errors="surrogatepass") == raw:
        return windows
    mac = raw.decode("mac_roman")
    return mac if _mac_letters(mac) > len(_WINDOWS_LETTERS.findall(windows)) else windows  # a tie stays Windows


def _mac_letters(text: str) -> int:
    return len(_NAME_LETTERS.findall(text)) + len(_CAPITALS.findall(text))
