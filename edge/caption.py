"""A caption under an evidence map, whole and legible: its letters drawn, its lines wrapped.

Pillow's built-in font draws ASCII only, so a class or film named in German, French or Spanish
(Lungenentzündung, Röntgen.png) came out with boxes where its letters were; and the caption was
never wrapped, so a 64-pixel model's map lost its probability past the picture's edge. The device
has no plotting library: a TrueType font the system already has (DejaVu Sans ships with Raspberry
Pi OS, Debian and Ubuntu) is used where found, and without one the letters are written without
their accents (ü as u) rather than as boxes. DejaVu has no Chinese, Japanese or Korean letters
(a film named 肺炎.png came out as boxes): a caption with letters its font lacks is drawn in a font
that has them where the system has one (Noto Sans CJK, Droid Sans Fallback, ...), and else those
letters are written as '?', so a reader sees that a letter is missing rather than a row of boxes.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from functools import lru_cache

from PIL import ImageDraw, ImageFont

FONT_PX = 12
LINE_PX = 16
# Fonts with the Latin letters, where systems keep them (first found wins).
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu, Raspberry Pi OS
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # Fedora
    "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",  # macOS
    os.path.join(os.environ.get("WINDIR", "C:\\Windows"), "Fonts", "arial.ttf"),
)

# Fonts with Chinese, Japanese and Korean letters (and Latin ones), tried for a caption its first font
# cannot draw whole.
WIDE_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu, Raspberry Pi OS: fonts-noto-cjk
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # fonts-droid-fallback
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/System/Library/Fonts/PingFang.ttc",  # macOS
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    os.path.join(os.environ.get("WINDIR", "C:\\Windows"), "Fonts", "msyh.ttc"),
    os.path.join(os.environ.get("WINDIR", "C:\\Windows"), "Fonts", "malgun.ttf"),
)
# A code point no font draws: what a font draws for a letter it lacks (its box) looks like this one's.
NO_LETTER = "\U0010fffd"


@lru_cache(maxsize=1)
def caption_font() -> tuple[ImageFont.ImageFont | ImageFont.FreeTypeFont, bool]:
    """(the font, whether it draws letters beyond ASCII)."""
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, FONT_PX), True
        except OSError:  # not there, or not a font Pillow can read (no FreeType)
            continue
    return ImageFont.load_default(), False


@lru_cache(maxsize=1)
def wide_font() -> ImageFont.FreeTypeFont | None:
    """A font with Chinese, Japanese and Korean letters, where the system has one."""
    for path in WIDE_FONT_FILES:
        try:
            return ImageFont.truetype(path, FONT_PX)
        except OSError:
            continue
    return None


def lacks(font: ImageFont.FreeTypeFont, text: str) -> set[str]:
    """The letters of ``text`` that ``font`` would draw as its box (it has no glyph for them)."""
    def drawn(ch: str) -> tuple:
        mask = font.getmask(ch)
        return mask.size, bytes(mask)

    box = drawn(NO_LETTER)
    return {ch for ch in set(text) if not ch.isspace() and drawn(ch) == box}


def ascii_letters(text: str) -> str:
    """``text`` with accents dropped (ü as u, é as e) and other letters as '?': what an ASCII font can draw."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return folded.encode("ascii", "replace").decode("ascii")


def wrapped(text: str, width: int, measure) -> list[str]:
    """``text``'s lines broken at spaces (a word wider than ``width``, such as a long file name, at
    any letter) so that each measures at most ``width`` pixels."""
    out: list[str] = []
    for line in text.split("\n"):
        current = ""
        for word in line.split(" "):
            trial = f"{current} {word}" if current else word
            if measure(trial) <= width:
                current = trial
                continue
            if current:
                out.append(current)
            current = ""
            for ch in word:  # the word alone does not fit: as many letters a line as fit
                if current and measure(current + ch) > width:
                    out.append(current)
                    current = ""
                current += ch
        out.append(current)
    return out


def caption_lines(caption: str, width: int) -> tuple[list[str], ImageFont.ImageFont | ImageFont.FreeTypeFont]:
    """The caption's lines as drawn within ``width`` pixels, and the font to draw them with; letters no font
    here has are written '?' and said once on stderr (note_missing)."""
    font, full = caption_font()
    text = caption if full else ascii_letters(caption)
    missing = lacks(font, text) if full else {ch for ch in caption if ascii_letters(ch) == "?" != ch}
    if missing and full:
        wide = wide_font()
        if wide is not None and not lacks(wide, text):
            font, missing = wide, set()
        else:
            text = "".join("?" if ch in missing else ch for ch in text)
    if missing:
        note_missing(caption, missing)
    return wrapped(text, max(8, width - 8), font.getlength), font


_told: list[bool] = []  # whether the note was given: once a command is enough, as for the report plots' (convert.plot_fonts)


def note_missing(caption: str, missing: set[str]) -> None:
    """Say once on stderr that captions show '?' for these letters: a folder of films named in Chinese gave maps
    captioned '??.png', telling the films apart by nothing, and silently."""
    if _told:
        return
    _told.append(True)
    some = "".join(dict.fromkeys(ch for ch in caption if ch in missing))
    print(f"edge-classify: note: the maps' captions cannot draw some of their letters (of a film's name, a class or "
          f"the model's file name: {some} in \"{caption.splitlines()[0]}\"): no font on this system has them, so the "
          "captions show '?' in their place; each film's answer gives its name in full, and its map's name keeps them. A font with them "
          "(fonts-noto-cjk on Debian and Ubuntu) lets the captions draw them.", file=sys.stderr)


# As on every report plot (convert.plots.FOOTER): a map is the picture most often forwarded or opened beside the film.
FOOTER = "Research software, not a medical device"
FOOTER_GREY = (170, 170, 170)
FOOTER_WARN = (255, 150, 40)  # a synthetic model's line above the footer (edge.synthetic_words.synthetic_mark): orange, not grey


def footer(model_name: str) -> str:
    """The line under a map's caption: the model file that drew it, and what the software is not."""
    return f"model {model_name}. {FOOTER}"


def draw_caption(draw: ImageDraw.ImageDraw, lines: list[str], font, top: int,
                 fill: tuple[int, int, int] = (255, 255, 255)) -> None:
    for k, line in enumerate(lines):
        draw.text((4, top + k * LINE_PX), line, fill=fill, font=font)
