"""Dates as Chinese official documents write them."""

from __future__ import annotations

import datetime


def chinese_date(d: datetime.date) -> str:
    """Return ``d`` as 2025年1月7日 (no leading zeros, no spaces)."""
    return f"{d.year}年{d.month}月{d.day}日"
