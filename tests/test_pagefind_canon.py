"""Pagefind's output made deterministic: CBOR round trips, sorted filters, renamed files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from generator.pagefind_canon import SIGNATURE, CborError, _decode, _encode, canonicalize, read


@pytest.mark.parametrize(
    "value",
    [0, 23, 24, 255, 256, 65536, 2**32, -1, -500, "", "地区", b"\x00\x01", [], [1, [2, "三"]], {"a": 1}, True, False, None, 1.5],
)
def test_cbor_round_trip(value: object) -> None:
    raw = _encode(value)
    assert _decode(raw, 0) == (value, len(raw))


def test_filters_sorted_and_renamed(tmp_path: Path) -> None:
    bundle = tmp_path / "pagefind"
    (bundle / "filter").mkdir(parents=True)

    def put(path: Path, value: object) -> None:
        path.write_bytes(gzip.compress(SIGNATURE + _encode(value)))

    put(bundle / "filter" / "zh_aaaaaaa.pf_filter", ["年度", [["2024", [1, 2]], ["2023", [0]]]])
    put(bundle / "pagefind.zh_0000000000.pf_meta", ["1.5.2", [["zh_f", 10]], [["a", "z", "zh_i"]], [["年度", "zh_aaaaaaa"]], [], ["机关", "title"]])
    (bundle / "pagefind-entry.json").write_text('{"version":"1.5.2","languages":{"zh":{"hash":"zh_0000000000","page_count":3}}}')
    canonicalize(bundle)
    filters = list((bundle / "filter").iterdir())
    assert len(filters) == 1 and filters[0].name != "zh_aaaaaaa.pf_filter"
    assert read(filters[0]) == ["年度", [["2023", [0]], ["2024", [1, 2]]]]
    metas = list(bundle.glob("*.pf_meta"))
    assert len(metas) == 1
    meta = read(metas[0])
    assert meta[3] == [["年度", filters[0].stem]] and meta[5] == ["title", "机关"]
    assert metas[0].name.removeprefix("pagefind.").removesuffix(".pf_meta") in (bundle / "pagefind-entry.json").read_text()
    once = {p.name: p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    canonicalize(bundle)  # idempotent
    assert {p.name: p.read_bytes() for p in bundle.rglob("*") if p.is_file()} == once


def test_unknown_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.pf_meta"
    path.write_bytes(gzip.compress(b"not pagefind"))
    with pytest.raises(CborError):
        read(path)
