"""Lint results as SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, IDEs) read.

One run, with the tool's rules (id, short description, full description from the rule's docstring,
default level, help pointing at ``docs/rules/<id>.md``) and one result per finding: rule id and index,
level, message, a physical location with a 1-based region, and, when the rule has one, a fix as an
artifact change replacing the statement's text.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dbarchitect._version import __version__
from dbarchitect.guardrails.rule import Finding, Span
from dbarchitect.guardrails.runner import LintResult, all_rules, explain_rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
_DOCS = "docs/rules/{id}.md"


def workspace_path(file: str) -> str:
    """``file`` as the CI service finds it: relative to the checkout (``GITHUB_WORKSPACE``) when it
    lies inside it, so a job run from a subdirectory (``working-directory: db``) or given absolute
    paths still annotates ``db/migrations/0002.sql`` of the repository; else as given."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if not workspace or file.startswith("<"):  # <stdin>, <brief>: not files
        return file
    try:
        return Path(file).resolve().relative_to(Path(workspace).resolve()).as_posix()
    except (ValueError, OSError):
        return file


def artifact_uri(file: str | None) -> str:
    """A SARIF ``artifactLocation.uri``: a URI reference, so a relative path is percent-encoded
    (``my dir/a.sql`` -> ``my%20dir/a.sql``) and an absolute one (outside the checkout) is a
    ``file://`` URI; standard input is ``stdin``."""
    if not file or file.startswith("<"):
        return "stdin" if not file or file == "<stdin>" else quote(file, safe="")
    path = workspace_path(file)
    if Path(path).is_absolute():
        return Path(path).as_uri()
    return quote(Path(path).as_posix(), safe="/")


def _region(finding: Finding) -> dict[str, int]:
    return _span_region(finding.span)


def _span_region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        # SARIF's endColumn is one past the last character.
        "endColumn": span.end_column + 1,
    }


def _location(finding: Finding) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(finding.file)},
            "region": _region(finding),
        }
    }


def lint_sarif(result: LintResult) -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``result`` (a dict ready for ``json.dumps``)."""
    rules = [
        r for r in all_rules() if r.id in result.rules or any(f.rule_id == r.id for f in result.findings)
    ]
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = [
        {
            "id": r.id,
            "name": "".join(part.capitalize() for part in r.id.split("-")),
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": explain_rule(r.id).strip()},
            "defaultConfiguration": {"level": r.level.value},
            "help": {"text": f"See {_DOCS.format(id=r.id)}; suppress with -- dbarch:disable {r.id}"},
        }
        for r in rules
    ]
    results: list[dict[str, Any]] = []
    for f in result.findings:
        text = f.message + (f" Hint: {f.hint}" if f.hint else "")
        item: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": f.level.value,
            "message": {"text": text},
            "locations": [_location(f)],
        }
        if f.fix is not None:
            item["fixes"] = [
                {
                    "description": {"text": f.fix.description},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": artifact_uri(f.file)},
                            "replacements": [
                                {
                                    "deletedRegion": _span_region(f.fix.span or f.span),
                                    "insertedContent": {"text": f.fix.replacement},
                                }
                            ],
                        }
                    ],
                }
            ]
        results.append(item)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dbarch lint",
                        "version": __version__,
                        "rules": descriptors,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
