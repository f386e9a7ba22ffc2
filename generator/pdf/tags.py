"""Keep a bundle tagged: merge the structure trees of the PDFs appended into it.

pypdf appends pages but not the logical structure that makes a PDF readable by screen readers
(PDF/UA): the bundle lost every heading, paragraph and table header of its reports. This module
copies each member's structure tree under one Document element, renumbers the parent-tree keys
that tie marked content on a page to its element, and prefixes the element ids (table header cells
are referred to by id) so that two reports' ids never collide. The contents' links, added by the
bundle, are tagged as Link elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

_P, _K, _ID, _A, _HEADERS = NameObject("/P"), NameObject("/K"), NameObject("/ID"), NameObject("/A"), NameObject("/Headers")


def _number_tree(node: Any) -> Iterator[tuple[int, Any]]:
    """Yield the (key, value) pairs of a number tree, however it is nested."""
    node = node.get_object()
    nums = node.get("/Nums", [])
    for i in range(0, len(nums) - 1, 2):
        yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", []):
        yield from _number_tree(kid)


def _as_list(value: Any) -> list[Any]:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return list(value) if isinstance(value, list) else [value]


def _renamed(value: Any, prefix: str) -> TextStringObject:
    text = value.original_bytes.decode("latin-1") if isinstance(value, ByteStringObject) else str(value)
    return TextStringObject(prefix + text)


def _adopt(element: DictionaryObject, parent: IndirectObject, prefix: str, ids: dict[str, IndirectObject]) -> None:
    """Set the parents in a copied subtree (copied without them) and prefix its ids and header references."""
    element[_P] = parent
    if _ID in element:
        element[_ID] = _renamed(element[_ID], prefix)
        assert element.indirect_reference is not None
        ids[str(element[_ID])] = element.indirect_reference
    for item in _as_list(element.get(_A, [])):
        attributes: Any = item.get_object() if item is not None else None
        if isinstance(attributes, DictionaryObject) and _HEADERS in attributes:
            headers: Any = attributes[_HEADERS]
            attributes[_HEADERS] = ArrayObject(_renamed(h, prefix) for h in headers)
    ref = element.indirect_reference
    for kid in _as_list(element.get(_K, [])):
        child = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(child, DictionaryObject) and "/S" in child and ref is not None:  # an element, not MCR/OBJR
            _adopt(child, ref, prefix, ids)


def merge_structure(writer: PdfWriter, members: list[PdfReader], lang: str, firsts: list[int] | None = None) -> None:
    """Give ``writer`` one structure tree made of its ``members``' trees, in page order.

    ``members`` are the readers appended into ``writer``, in order, each with all its pages; ``firsts``
    gives the 0-based page where each starts when blank pages lie between them.
    """
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject({
        NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document"),
        _P: root_ref, NameObject("/Lang"): TextStringObject(lang),
    })
    document_ref = writer._add_object(document)
    kids, nums = ArrayObject(), ArrayObject()
    ids: dict[str, IndirectObject] = {}
    roles = DictionaryObject()
    key, first, after_front = 0, 0, 0
    for n, reader in enumerate(members):
        if firsts is not None:
            first = firsts[n]
        pages = writer.pages[first : first + len(reader.pages)]
        first += len(reader.pages)
        member: Any = reader.trailer["/Root"]
        found = member.get("/StructTreeRoot")
        if found is None:
            continue
        source: Any = found.get_object()
        roles.update({NameObject(k): v for k, v in source.get("/RoleMap", {}).items()})
        offset, prefix = key, f"m{n}-"
        for kid in _as_list(source[_K]):
            # without /P: the parent is the member's own root, whose trees must not come along
            copy = kid.clone(writer, ignore_fields=("/P",)).get_object()
            _adopt(copy, document_ref, prefix, ids)
            assert copy.indirect_reference is not None
            kids.append(copy.indirect_reference)
        pairs = list(_number_tree(source["/ParentTree"]))
        for number, value in pairs:
            nums += [NumberObject(number + offset), value.clone(writer, ignore_fields=("/P",))]
        key = offset + max(int(source.get("/ParentTreeNextKey", 0)), max((k for k, _ in pairs), default=-1) + 1)
        for original, page in zip(reader.pages, pages, strict=True):
            parents: Any = original.get("/StructParents")
            if parents is not None:  # pypdf drops it from the pages it copies
                page[NameObject("/StructParents")] = NumberObject(int(parents) + offset)
            for annot in page.get("/Annots", []):  # copied with their key: shift it
                annot = annot.get_object()
                if "/StructParent" in annot:
                    annot[NameObject("/StructParent")] = NumberObject(int(annot["/StructParent"]) + offset)
        if n == 0:
            after_front = len(kids)
    for page in writer.pages:  # a blank page between reports: no content, but a (empty) entry like every page
        if "/StructParents" not in page:
            nums += [NumberObject(key), ArrayObject()]
            page[NameObject("/StructParents")] = NumberObject(key)
            key += 1
    # the contents' links, read right after the contents (the first member)
    key, links = _tag_untagged_links(writer, document_ref, nums, key)
    kids[after_front:after_front] = links
    document[_K] = kids
    root.update({
        _K: ArrayObject([document_ref]),
        NameObject("/ParentTree"): DictionaryObject({NameObject("/Nums"): nums}),
        NameObject("/ParentTreeNextKey"): NumberObject(key),
        NameObject("/IDTree"): DictionaryObject({
            NameObject("/Names"): ArrayObject(x for name in sorted(ids) for x in (TextStringObject(name), ids[name]))
        }),
        NameObject("/RoleMap"): roles,
    })
    catalog = writer.root_object
    catalog[NameObject("/StructTreeRoot")] = root_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    catalog[NameObject("/Lang")] = TextStringObject(lang)
    preferences = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    catalog[NameObject("/ViewerPreferences")] = preferences
    for page in writer.pages:
        page[NameObject("/Tabs")] = NameObject("/S")  # tab through links in structure order


def _tag_untagged_links(
    writer: PdfWriter, parent: IndirectObject, nums: ArrayObject, key: int
) -> tuple[int, list[IndirectObject]]:
    """Give every link annotation without a structure element (the contents' links) a Link element."""
    links = []
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link" or "/StructParent" in annot:
                continue
            objr = DictionaryObject({
                NameObject("/Type"): NameObject("/OBJR"), NameObject("/Obj"): ref, NameObject("/Pg"): page.indirect_reference,
            })
            link: dict[PdfObject, PdfObject] = {
                NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Link"),
                _P: parent, _K: ArrayObject([objr]),
            }
            link_ref = writer._add_object(DictionaryObject(link))
            links.append(link_ref)
            annot[NameObject("/StructParent")] = NumberObject(key)
            annot.setdefault(NameObject("/Contents"), TextStringObject("转到对应报告"))
            nums += [NumberObject(key), link_ref]
            key += 1
    return key, links
