"""The XLSX extent check (etl/xlsx_guard.py): the real extent of a sheet, found by streaming its XML
the way calamine places cells, never from the declared <dimension>; a far cell is refused before
calamine allocates its grid; ordinary workbooks pass."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from etl import xlsx_guard
from etl.readers import SourceFileError

CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"'
    '/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"'
    "/></Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hồ sơ"'
    ' sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="{target}"/></Relationships>'
)
HEADER = ["MaHoSo", "MaXa", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "KenhThucHien"]


def header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'


def data_row(n: int) -> str:
    values = [f"D{n}", "8380", "01/10/2025", "05/10/2025", "03/10/2025", "2"]
    cells = "".join(
        f'<c r="{chr(65 + i)}{n}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{n}">{cells}</row>'


def workbook(
    path: Path,
    sheet_data: str,
    dimension: str | None = None,
    target: str = "worksheets/sheet1.xml",
    part: str = "xl/worksheets/sheet1.xml",
    head: str = "",
) -> Path:
    """A minimal workbook with one sheet whose <sheetData> is `sheet_data` (written by hand, as an
    attacker would)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main">{dim}{head}<sheetData>{sheet_data}</sheetData></worksheet>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS.format(target=target))
        z.writestr(part, sheet)
    return path


def bomb(path: Path, dimension: str | None = None) -> Path:
    """The 1.6 KB file of issue 13: a dossier header and one far cell, XFD1048576."""
    return workbook(
        path, header_row() + data_row(2) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension
    )


def calamine_extent(path: Path) -> tuple[int, int]:
    wb = CalamineWorkbook.from_path(str(path))
    try:
        sheet = wb.get_sheet_by_name(wb.sheet_names[0])
        if not sheet.to_python():
            return 0, 0
        return sheet.end[0] + 1, sheet.end[1] + 1
    finally:
        wb.close()


@pytest.mark.parametrize("dimension", [None, "A1:D2"])
def test_bomb_refused_naming_the_far_cell(tmp_path, dimension):
    f = bomb(tmp_path / "bom.xlsx", dimension)
    assert f.stat().st_size < 2000
    with pytest.raises(SourceFileError) as err:
        xlsx_guard.check_xlsx(f)
    e = err.value
    assert e.code == "sheet_too_large"
    for text in (e.message_vi, e.message_en):
        assert text.startswith("bom.xlsx: ") and "XFD1048576" in text and '"Hồ sơ"' in text
    assert "1.048.576 dòng × 16.384 cột" in e.message_vi and "nothing was loaded" in e.message_en


def test_declared_dimension_is_not_trusted_either_way(tmp_path):
    # A false huge dimension over a small sheet passes: the cells decide, not the claim.
    small = workbook(tmp_path / "small.xlsx", header_row() + data_row(2), dimension="A1:XFD1048576")
    assert [(e.rows, e.columns) for e in xlsx_guard.check_xlsx(small)] == [(2, 6)]
    assert calamine_extent(small) == (2, 6)


@pytest.mark.parametrize(
    "sheet_data,far",
    [  # (the header spans A1:F1)
        (
            '<row r="3"><c r="C3"><v>1</v></c></row><row><c><v>1</v></c></row>',
            (4, 6),
        ),  # row without r: next row
        (
            '<row r="3"><c><v>1</v></c><c r="H3"><v>1</v></c><c><v>2</v></c></row>',
            (3, 9),
        ),  # cell without r: next column
        ('<row r="5"><c r="k5"><v>1</v></c></row>', (5, 11)),  # lower-case reference
        ("<row r='7'><c r='G7'><v>1</v></c></row>", (7, 7)),  # single quotes
        ('<row r="5"><c s="0" r="M5"><v>1</v></c></row>', (5, 13)),  # r not first
        (
            '<row r="9"><c r="Z9" s="1"/><c r="Y9" t="n"></c><c r="B9"><v>1</v></c></row>',
            (9, 6),
        ),  # formatting only
        ('<row r="4"><c t="n" x="a>b" r="H4"><v>0</v></c></row>', (4, 8)),  # '>' inside an attribute
        ('<row r="5"><c r="ZZZ5"><v>1</v></c></row>', (5, 18278)),  # beyond Excel's columns
    ],
)
def test_extent_matches_calamine(tmp_path, sheet_data, far):
    f = workbook(tmp_path / "x.xlsx", header_row() + sheet_data)
    [extent] = xlsx_guard.check_xlsx(f)
    assert (extent.rows, extent.columns) == far == calamine_extent(f)


def test_prefixed_elements_and_odd_part_names_are_scanned(tmp_path):
    data = (
        (header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
        .replace("<row", "<x:row")
        .replace("</row", "</x:row")
        .replace("<c ", "<x:c ")
        .replace("</c>", "</x:c>")
    )
    f = workbook(tmp_path / "ns.xlsx", data, part="xl/hidden/data.xml", target="/xl/hidden/data.xml")
    with pytest.raises(SourceFileError, match="XFD1048576"):
        xlsx_guard.check_xlsx(f)


def test_cells_without_references_cannot_widen_the_grid_unseen(tmp_path):
    # 16,384 empty-valued cells without r in one row (64 KB that zip to almost nothing), then a far row.
    wide = '<row r="2">' + "<c><v>1</v></c>" * 16_384 + "</row>"
    f = workbook(tmp_path / "wide.xlsx", header_row() + wide + '<row r="1048576"><c><v>1</v></c></row>')
    with pytest.raises(SourceFileError) as err:
        xlsx_guard.check_xlsx(f)
    assert "XFD1048576" in err.value.message_en


def test_references_calamine_would_refuse_are_refused(tmp_path):
    for ref in ("$A$1", "&#88;FD1048576", " A1", "A1 B2"):
        f = workbook(tmp_path / "ref.xlsx", header_row() + f'<row r="2"><c r="{ref}"><v>1</v></c></row>')
        with pytest.raises(SourceFileError) as err:
            xlsx_guard.check_xlsx(f)
        assert err.value.code in ("corrupt_xlsx", "corrupt_zip")
    twice = workbook(
        tmp_path / "twice.xlsx", header_row() + '<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>'
    )
    with pytest.raises(SourceFileError):
        xlsx_guard.check_xlsx(twice)


def test_tags_cut_across_chunks_are_read_whole(tmp_path, monkeypatch):
    """The scan reads the XML in chunks; a chunk of a few bytes cuts every tag somewhere."""
    rows = "".join(data_row(n) for n in range(2, 40))
    far = '<row r="70000"><c s="3" x="q>" r="AB70000"><v>1</v></c></row>'
    f = workbook(tmp_path / "cut.xlsx", header_row() + rows + far)
    expected = calamine_extent(f)
    assert expected == (70_000, 28)
    for size in (7, 13, 64):
        monkeypatch.setattr(xlsx_guard, "CHUNK_BYTES", size)
        xlsx_guard._PASSED.clear()
        [extent] = xlsx_guard.check_xlsx(f)
        assert (extent.rows, extent.columns) == expected


def test_random_sheets_agree_with_calamine(tmp_path):
    """Sheets mixing every way of placing a cell: the scan's extent is calamine's, or larger (an
    empty <v/> counts), never smaller."""
    rng = random.Random(13)
    for i in range(60):
        parts, row = [header_row()], 1
        for _ in range(rng.randint(1, 8)):
            row = row + 1 if rng.random() < 0.3 else row + rng.randint(1, 400)
            parts.append(f'<row r="{row}">' if rng.random() < 0.7 else "<row>")
            col = 0
            for _ in range(rng.randint(1, 6)):
                if rng.random() < 0.6:
                    col = col + rng.randint(1, 60)
                    letters = xlsx_guard.column_letters(col)
                    ref = f' r="{letters}{row if rng.random() < 0.8 else row + rng.randint(0, 50)}"'
                else:
                    col += 1
                    ref = ""
                style = ' s="1"' if rng.random() < 0.3 else ""
                parts.append(f"<c{style}{ref}/>" if rng.random() < 0.15 else f"<c{ref}{style}><v>1</v></c>")
            parts.append("</row>")
        f = workbook(tmp_path / f"r{i}.xlsx", "".join(parts))
        [extent] = xlsx_guard.check_xlsx(f)
        assert (extent.rows, extent.columns) == calamine_extent(f), "".join(parts)


def test_ordinary_workbook_passes(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(200):
        ws.append([f"K{i}", 8380, "01/10/2025", "05/10/2025", "03/10/2025", 2])
    ws["J3"].number_format = "0.00"  # a formatted empty cell off to the side
    f = tmp_path / "ok.xlsx"
    wb.save(f)
    [extent] = xlsx_guard.check_xlsx(f)
    assert (extent.rows, extent.columns) == (201, 6) and extent.cells == 201 * 6


def test_sparse_sheet_under_the_hard_limit_is_refused(tmp_path):
    # 6 million cells of grid (A1:F1000000) holding 13 cells: too sparse to be worth 190 MB.  The
    # message names the range's far corner, where Excel's Ctrl+End goes.
    f = workbook(
        tmp_path / "sparse.xlsx",
        header_row() + data_row(2) + '<row r="1000000"><c r="E1000000"><v>1</v></c></row>',
    )
    with pytest.raises(SourceFileError) as err:
        xlsx_guard.check_xlsx(f)
    assert "F1000000" in err.value.message_en and "sparse" in err.value.message_en
