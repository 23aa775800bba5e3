"""``--output-format junit``: one test case per linted file, a failure listing its diagnostics."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from asynclint.core.diagnostics import Diagnostic
from asynclint.output.context import OutputContext


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters; drop them."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def format_junit(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    context = context or OutputContext()
    by_file: dict[str, list[Diagnostic]] = {path: [] for path in context.files}
    for d in diagnostics:
        by_file.setdefault(d.path, []).append(d)
    failing = sum(1 for found in by_file.values() if found)
    suites = ET.Element("testsuites", name="asynclint", tests=str(len(by_file)), failures=str(failing))
    suite = ET.SubElement(suites, "testsuite", name="asynclint", tests=str(len(by_file)),
                          failures=str(failing), errors="0", skipped="0")
    for path in sorted(by_file):
        found = by_file[path]
        case = ET.SubElement(suite, "testcase", name=_clean(path), classname="asynclint", file=_clean(path))
        if found:
            codes = ", ".join(sorted({d.code for d in found}))
            failure = ET.SubElement(case, "failure", type=codes,
                                    message=_clean(f"{len(found)} diagnostic{'s' if len(found) != 1 else ''}: {codes}"))
            failure.text = _clean("".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in found))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
