"""A rendered PDF's text, for tests that look for a figure in it."""

from __future__ import annotations

import io
import re

import pypdf


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    """The text without white space: a figure's digits and words survive a line break."""
    return re.sub(r"\s+", "", text)
