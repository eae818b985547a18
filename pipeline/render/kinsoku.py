"""Japanese line breaking (禁則処理) for the PDF writer.

Pure rules on characters: where a line that overflows at ``overflow`` should end so that no line
starts with a closing bracket, 、。，．！？ or a small kana / long-vowel mark, none ends with an
opening bracket, and Latin words and numbers such as 1,543 are not cut.
"""

from __future__ import annotations

from collections.abc import Sequence

CLOSING = ")]}）〕］｝〉》」』】〙〗〟’”»"
PUNCTUATION = "、。，．,.!?！？:;：；・‐゠–〜～…‥"
SMALL_KANA = "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
ITERATION = "ーヽヾゝゞ々〻"
CANNOT_START = frozenset(CLOSING + PUNCTUATION + SMALL_KANA + ITERATION + "%％‰℃°′″")
CANNOT_END = frozenset("([{（〔［｛〈《「『【〘〖〝‘“«¥＄$￥＃#＠@")
HANGING = frozenset("、。，．")
WORD = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz,.-_%+/'")
MAX_PUSH = 12


def break_index(chars: Sequence[str], start: int, overflow: int) -> int:
    """Where the next line starts, given that ``chars[overflow]`` no longer fits.

    One 、。 may hang past the margin (ぶら下げ); otherwise characters are pushed to the next
    line (追い出し) until the break is allowed. A line keeps at least one character.
    """
    n = len(chars)
    if overflow >= n:
        return n
    if chars[overflow] in HANGING and (overflow + 1 >= n or chars[overflow + 1] not in CANNOT_START):
        return overflow + 1
    b = overflow
    while b > start + 1 and not allowed(chars, b):
        b -= 1
    if allowed(chars, b):
        return b
    return overflow


def allowed(chars: Sequence[str], b: int) -> bool:
    """May a line end before ``chars[b]``?"""
    before, after = chars[b - 1], chars[b]
    if after in CANNOT_START or before in CANNOT_END:
        return False
    return not (before in WORD and after in WORD and _word_start(chars, b) > b - MAX_PUSH)


def _word_start(chars: Sequence[str], b: int) -> int:
    while b > 0 and chars[b - 1] in WORD:
        b -= 1
    return b


def check_lines(lines: Sequence[str]) -> list[str]:
    """Lines that break the rules (for tests and self-checks): what starts or ends wrongly."""
    bad = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if text[0] in CANNOT_START:
            bad.append(f"starts with {text[0]!r}: {text}")
        if text[-1] in CANNOT_END:
            bad.append(f"ends with {text[-1]!r}: {text}")
    return bad
