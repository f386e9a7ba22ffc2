"""nianbao: publish 政府信息公开工作年度报告 as a static site, checked against the national format."""

from __future__ import annotations

__version__ = "0.2.0"
