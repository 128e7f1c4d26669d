"""Reading generated reports back: DOCX with python-docx, PDF with pypdf, XLSX with openpyxl."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import openpyxl
from pypdf import PdfReader


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_text(document) -> str:
    """Every paragraph and table cell, in document order, one per line."""
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def pdf_text(data: bytes) -> str:
    """The PDF's text with runs of whitespace collapsed (justified lines stretch the spaces)."""
    reader = PdfReader(io.BytesIO(data))
    return squash("\n".join(page.extract_text() for page in reader.pages))


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def open_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_charts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [n for n in z.namelist() if n.startswith("xl/charts/chart")]


def find_row(ws, label: str, column: int = 1) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        cell = row[0]
        if cell.value == label:
            return cell.row
    raise AssertionError(f"no row labelled {label!r} in sheet {ws.title}")
