"""Make Pagefind's output deterministic: sort what it writes in hash-map order, rename by content.

Pagefind (1.5) writes its filter indexes, and the list of them in its meta index, in Rust hash-map
order, so the same records give other bytes on every run (upstream issue #638). Their contents
are sets keyed by name — the page numbers, index chunks and fragments are stable — so sorting them
changes no meaning. Each rewritten file is named by a hash of its new bytes, and the names are
carried into the meta index and the entry file, which is all pagefind.js reads them by.

The files are gzip-compressed CBOR behind an 12-byte ``pagefind_dcd`` signature; this module
decodes and encodes exactly the CBOR subset Pagefind writes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class CborError(ValueError):
    """The file is not the CBOR this module expects (a Pagefind version with another layout)."""


def _decode(data: bytes, i: int) -> tuple[Any, int]:
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if major == 7:
        if info == 20:
            return False, i
        if info == 21:
            return True, i
        if info == 22:
            return None, i
        if info == 25:
            return ("f16", data[i : i + 2]), i + 2
        if info == 26:
            return struct.unpack(">f", data[i : i + 4])[0], i + 4
        if info == 27:
            return struct.unpack(">d", data[i : i + 8])[0], i + 8
        raise CborError(f"simple value {info}")
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise CborError(f"indefinite length (major {major})")
    if major == 0:
        return n, i
    if major == 1:
        return -1 - n, i
    if major == 2:
        return data[i : i + n], i + n
    if major == 3:
        return data[i : i + n].decode("utf-8"), i + n
    if major == 4:
        items = []
        for _ in range(n):
            item, i = _decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        pairs = []
        for _ in range(n):
            key, i = _decode(data, i)
            value, i = _decode(data, i)
            pairs.append((key, value))
        return dict(pairs), i
    raise CborError(f"major type {major}")


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise CborError("integer too large")


def _encode(value: Any) -> bytes:
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if value is None:
        return b"\xf6"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, tuple) and value[0] == "f16":
        half: bytes = value[1]
        return b"\xf9" + half
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    raise CborError(type(value).__name__)


def read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise CborError(f"{path.name}: no Pagefind signature")
    value, end = _decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise CborError(f"{path.name}: trailing bytes")
    if _encode(value) != raw[len(SIGNATURE) :]:
        raise CborError(f"{path.name}: does not round-trip")  # refuse to rewrite what we cannot reproduce
    return value


def _write(folder: Path, prefix: str, suffix: str, value: Any, digits: int) -> str:
    return _write_raw(folder, prefix, suffix, _encode(value), digits)


def _write_raw(folder: Path, prefix: str, suffix: str, cbor: bytes, digits: int, level: int = 6) -> str:
    """Write already encoded CBOR as Pagefind does, named by a hash of its bytes; return the name."""
    raw = SIGNATURE + cbor
    name = f"{prefix}{hashlib.sha256(raw).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(raw, compresslevel=level, mtime=0))
    return name


def canonicalize(bundle: Path) -> None:
    """Rewrite ``bundle`` (a pagefind/ folder) so that the same records always give the same bytes."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read(meta_path)
        # version, pages, index chunks, filters, sorts, meta fields
        if not (isinstance(meta, list) and len(meta) == 6 and isinstance(meta[3], list)):
            raise CborError("unexpected meta index layout")
        filters = []
        for name, old in meta[3]:
            old_path = bundle / "filter" / f"{old}.pf_filter"
            filter_name, values = read(old_path)
            new = _write(bundle / "filter", f"{language}_", ".pf_filter", [filter_name, sorted(values, key=lambda v: v[0])], 7)
            if new != old:
                old_path.unlink()
            filters.append([name, new])
        meta[3] = sorted(filters)
        if isinstance(meta[5], list) and all(isinstance(k, str) for k in meta[5]):
            meta[5] = sorted(meta[5])
        new_meta = _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10)
        new_hash = new_meta.removeprefix("pagefind.")
        if new_hash != info["hash"]:
            meta_path.unlink()
        info["hash"] = new_hash
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
