"""An 837I checked by pyx12, a maintained X12 validator with the 005010X223A2 map."""

from __future__ import annotations

import io
import json

import pyx12.params
import pyx12.x12n_document


def _errors(node) -> list:
    found = []
    if isinstance(node, dict):
        found.extend(node.get("errors") or [])
        for key, value in node.items():
            if key != "errors":
                found.extend(_errors(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_errors(item))
    return found


def pyx12_errors(text: str) -> tuple[bool, list]:
    """(valid, every error pyx12 reports) for an X12 interchange."""
    report = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(),
        src_file=io.StringIO(text),
        fd_997=io.StringIO(),
        fd_html=None,
        fd_json=report,
    )
    raw = report.getvalue().strip()
    return bool(valid), _errors(json.loads(raw) if raw else {})
