"""Keep a bundle tagged: merge the structure trees of the PDFs appended into it.

Appending pages leaves out the logical structure that makes a PDF readable by screen readers
(PDF/UA): the bundle would lose every heading, paragraph and table header of its reports. This
module copies each member's structure tree under one Document element, renumbers the parent-tree
keys that tie marked content on a page to its element, and prefixes the element ids (table header
cells are referred to by id) so that two reports' ids never collide. The contents' links, added by
the bundle, are tagged as Link elements.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pikepdf import Array, Dictionary, Name, Object, Pdf, String


def _number_tree(node: Object) -> Iterator[tuple[int, Object]]:
    """Yield the (key, value) pairs of a number tree, however it is nested."""
    nums = node.get(Name.Nums, Array())
    for i in range(0, len(nums) - 1, 2):
        yield int(nums[i]), nums[i + 1]
    for kid in node.get(Name.Kids, Array()):
        yield from _number_tree(kid)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Array) else [value]


def _renamed(value: Object, prefix: bytes) -> String:
    return String(prefix + bytes(value))


def _adopt(element: Object, parent: Object, prefix: bytes, ids: dict[bytes, Object]) -> None:
    """Set the parent of a copied element and prefix the ids and header references in its subtree."""
    element.P = parent
    if Name.ID in element:
        element.ID = _renamed(element.ID, prefix)
        ids[bytes(element.ID)] = element
    for attributes in _as_list(element.get(Name.A, Array())):
        if isinstance(attributes, Dictionary) and Name.Headers in attributes:
            attributes.Headers = Array(_renamed(h, prefix) for h in attributes.Headers)
    for kid in _as_list(element.get(Name.K, Array())):
        if isinstance(kid, Dictionary) and Name.S in kid:  # an element, not a marked-content or object reference
            _adopt(kid, element, prefix, ids)


def merge_structure(pdf: Pdf, members: list[Pdf], lang: str, firsts: list[int]) -> None:
    """Give ``pdf`` one structure tree made of its ``members``' trees, in page order.

    ``members`` are the files whose pages were appended into ``pdf`` (before this is called, so that
    the copied trees point at the copied pages), each with all its pages from page ``firsts[n]``
    (0-based); blank pages may lie between them.
    """
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, Lang=String(lang)))
    kids: list[Object] = []
    nums: list[Any] = []
    ids: dict[bytes, Object] = {}
    roles = Dictionary()
    key, after_front = 0, 0
    for n, (member, first) in enumerate(zip(members, firsts, strict=True)):
        found = member.Root.get(Name.StructTreeRoot)
        if found is not None:
            # The whole tree at once: qpdf maps the pages it refers to onto the pages copied before.
            source = pdf.copy_foreign(found)
            for role, value in source.get(Name.RoleMap, Dictionary()).items():
                roles[role] = value
            offset, prefix = key, f"m{n}-".encode()
            for kid in _as_list(source.K):
                _adopt(kid, document, prefix, ids)  # its parent was the member's root, left out of the bundle
                kids.append(kid)
            pairs = list(_number_tree(source.ParentTree))
            for number, value in pairs:
                nums += [number + offset, value]
            key = offset + max(int(source.get(Name.ParentTreeNextKey, 0)), max((k for k, _ in pairs), default=-1) + 1)
            for page in pdf.pages[first : first + len(member.pages)]:
                if Name.StructParents in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + offset
                for annot in page.obj.get(Name.Annots, Array()):
                    if Name.StructParent in annot:
                        annot.StructParent = int(annot.StructParent) + offset
        if n == 0:
            after_front = len(kids)
    for page in pdf.pages:  # a blank page between reports: no content, but a (empty) entry like every page
        if Name.StructParents not in page.obj:
            nums += [key, Array()]
            page.obj.StructParents = key
            key += 1
    # the contents' links, read right after the contents (the first member)
    key, links = _tag_untagged_links(pdf, document, nums, key)
    kids[after_front:after_front] = links
    document.K = Array(kids)
    root.K = Array([document])
    root.ParentTree = Dictionary(Nums=Array(nums))
    root.ParentTreeNextKey = key
    root.IDTree = Dictionary(Names=Array(x for name in sorted(ids) for x in (String(name), ids[name])))
    root.RoleMap = roles
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = String(lang)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    for page in pdf.pages:
        page.obj.Tabs = Name.S  # tab through links in structure order


def _tag_untagged_links(pdf: Pdf, parent: Object, nums: list[Any], key: int) -> tuple[int, list[Object]]:
    """Give every link annotation without a structure element (the contents' links) a Link element."""
    links: list[Object] = []
    for page in pdf.pages:
        for annot in page.obj.get(Name.Annots, Array()):
            if annot.get(Name.Subtype) != Name.Link or Name.StructParent in annot:
                continue
            objr = Dictionary(Type=Name.OBJR, Obj=annot, Pg=page.obj)
            link = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Link, P=parent, K=Array([objr])))
            links.append(link)
            annot.StructParent = key
            if Name.Contents not in annot:
                annot.Contents = String("转到对应报告")
            nums += [key, link]
            key += 1
    return key, links
