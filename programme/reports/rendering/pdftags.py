"""Completes WeasyPrint's PDF tagging where PDF/UA-1 asks for more than it writes (the write_pdf finisher).

Completes the tagging of WeasyPrint 70 where PDF/UA-1 asks for more than it writes. Runs as the
write_pdf finisher: after WeasyPrint has built the structure tree, before the file is written.

- Header cells get a /Scope from the th's scope attribute. WeasyPrint links data cells to their
  headers with /Headers and IDs but writes no /Scope (Kozea/WeasyPrint#2508), so a column header
  above a column of row headers was tied to nothing (PDF/UA-1 7.5, Matterhorn 15-003).
- Text in the page margins (running head, page numbers, footer) becomes a pagination artifact.
  WeasyPrint marks it as content with an MCID but leaves it out of the structure tree
  (Kozea/WeasyPrint#1836): content that is neither tagged nor an artifact (PDF/UA-1 7.1).
- A figure's bounding box is given in PDF points from the bottom of the page, as PDF asks:
  WeasyPrint writes it in CSS pixels from the top, which puts it elsewhere (and a large chart
  seemed to cover the whole page).
- Link annotations get the Print flag, so that print and screen show the same."""
import pydyf

PRINT_FLAG = 1 << 2


CSS_PX_IN_PT = 0.75  # WeasyPrint draws CSS pixels (1/96 in) at 0.75 pt each (zoom 1)


def finish(document, pdf) -> None:
    _scope_header_cells(document)
    _figure_boxes_in_points(document, pdf)
    if "StructTreeRoot" in pdf.catalog:
        _untagged_content_as_artifacts(pdf)
    _print_links(pdf)


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _scope_header_cells(document) -> None:
    # tags.py keeps each cell's structure element on its box as `mark`.
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "mark", None)
            if element is not None and box.element_tag == "th" and "Scope" not in element["A"]:
                element["A"]["Scope"] = "/Row" if box.element.get("scope") == "row" else "/Column"


def _figure_boxes_in_points(document, pdf) -> None:
    pages = {reference: page for reference, page in zip(pdf.page_references, document.pages, strict=True)}
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("S") == "/Figure" and "BBox" in obj.get("A", {}):
            height = pages[obj["Pg"]].height
            x1, y1, x2, y2 = obj["A"]["BBox"]
            obj["A"]["BBox"] = pydyf.Array([x1 * CSS_PX_IN_PT, (height - y2) * CSS_PX_IN_PT,
                                            x2 * CSS_PX_IN_PT, (height - y1) * CSS_PX_IN_PT])


def _obj(pdf, reference):
    """The object behind a reference such as b'12 0 R' (pydyf numbers objects by their index)."""
    return pdf.objects[int(reference.split()[0])]


def _reachable(pdf, root) -> set[int]:
    """Numbers of the structure elements that hang in the tree under the StructTreeRoot."""
    seen, todo = set(), [root]
    while todo:
        node = todo.pop()
        for kid in node.get("K", ()):
            if isinstance(kid, bytes) and kid.endswith(b" R") and int(kid.split()[0]) not in seen:
                seen.add(int(kid.split()[0]))
                todo.append(_obj(pdf, kid))
    return seen


def _untagged_content_as_artifacts(pdf) -> None:
    root = _obj(pdf, pdf.catalog["StructTreeRoot"])
    reachable = _reachable(pdf, root)
    nums = _obj(pdf, root["ParentTree"])["Nums"]
    page_numbers = pdf.pages["Kids"][::3]
    for index, page_number in enumerate(page_numbers):
        key, parents = nums[2 * index], nums[2 * index + 1]
        assert key == index, "the parent tree lists the pages first, in order"
        loose = {mcid for mcid, ref in enumerate(parents) if int(ref.split()[0]) not in reachable}
        if not loose:
            continue
        for mcid in loose:
            parents[mcid] = b"null"
        stream = _obj(pdf, pdf.objects[page_number]["Contents"]).stream
        for i, item in enumerate(stream):
            if isinstance(item, pydyf.Dictionary) and item.get("MCID") in loose:
                # pydyf writes marked content as: '/Tag', <<properties>>, b'BDC'
                stream[i - 1] = "/Artifact"
                stream[i] = pydyf.Dictionary({"Type": "/Pagination"})
    for obj in pdf.objects:  # the detached elements go; their objects stay, empty and unreferenced
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" and obj.number not in reachable:
            obj.clear()


def _print_links(pdf) -> None:
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/Annot" and obj.get("Subtype") == "/Link":
            obj["F"] = PRINT_FLAG
