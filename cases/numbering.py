"""Chinese numerals as the documents number their sections (一、) and items (（一）)."""

DIGITS = "零一二三四五六七八九"
UNITS = ("", "十", "百", "千")


def chinese_numeral(n: int) -> str:
    """一 … 十, 十一 … 九十九, 一百, 一百零一, 一百一十 … 九千九百九十九, as Chinese documents write them."""
    if not 0 < n < 10_000:
        raise ValueError(f"no Chinese numeral for {n}")
    if n < 20:
        return ("十" if n >= 10 else "") + (DIGITS[n % 10] if n % 10 or n < 10 else "")
    digits = [int(d) for d in str(n)]
    parts: list[str] = []
    pending_zero = False
    for place, digit in zip(range(len(digits) - 1, -1, -1), digits, strict=True):
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(DIGITS[digit] + UNITS[place])
    return "".join(parts)
