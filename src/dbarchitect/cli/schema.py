"""``dbarch brief-schema``."""

from __future__ import annotations

import json
import sys

from dbarchitect.cli.app import app


@app.command("brief-schema", short_help="Print the JSON Schema of the design brief.")
def brief_schema() -> None:
    """Print the JSON Schema of the design brief (for editor completion and validation)."""
    from dbarchitect.brief import brief_json_schema

    sys.stdout.write(json.dumps(brief_json_schema(), indent=2, sort_keys=True) + "\n")
