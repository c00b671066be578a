"""A tool's result: a summary as structured content, the full document one resource away
(``dbarch://results/{id}``, kept in a bounded store), and each full document's JSON Schema."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, EmbeddedResource, ResourceLink, TextContent, TextResourceContents
from pydantic import BaseModel

from dbarchitect.errors import did_you_mean
from dbarchitect.mcp.outputs import summary as summaries
from dbarchitect.mcp.outputs.summary import Detail, FullResult

#: Full results kept for resources/read (the most recent calls; older ones are dropped).
KEPT_RESULTS = 32


class ResultStore:
    """The full documents of recent calls, as resources ``dbarch://results/{id}`` (JSON) and
    ``dbarch://results/{id}/ddl/{engine}`` (a design's DDL per engine). Bounded: the oldest go first.
    Thread-safe (tools run in worker threads)."""

    def __init__(self, keep: int = KEPT_RESULTS) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._count = 0

    def put(self, tool: str, document: BaseModel, parts: dict[str, str] | None = None) -> FullResult:
        text = json.dumps(document.model_dump(mode="json", by_alias=True), ensure_ascii=False)
        with self._lock:
            self._count += 1
            digest = hashlib.sha256(f"{self._count}:{text}".encode()).hexdigest()[:12]
            result_id = f"{tool}-{self._count}-{digest}"
            uri = f"dbarch://results/{result_id}"
            self._items[uri] = ("application/json", text)
            for part, content in (parts or {}).items():
                self._items[f"{uri}/{part}"] = ("application/sql", content)
            while len({k.split("/")[3] for k in self._items}) > self.keep:
                oldest = next(iter(self._items)).split("/")[3]
                for key in [k for k in self._items if k.split("/")[3] == oldest]:
                    del self._items[key]
        return FullResult(uri=uri, bytes=len(text.encode()), schema_uri=f"dbarch://schemas/{tool}")

    def mark(self) -> set[str]:
        """The results held now (a tool call in a child process adds to its copy of the store)."""
        with self._lock:
            return set(self._items)

    def collect(self, mark: set[str]) -> tuple[int, list[tuple[str, tuple[str, str]]]]:
        """What was added since ``mark``, for the server's own store."""
        with self._lock:
            return self._count, [(k, v) for k, v in self._items.items() if k not in mark]

    def absorb(self, changes: tuple[int, list[tuple[str, tuple[str, str]]]]) -> None:
        """Results a tool call stored in its child process, kept here (oldest dropped past ``keep``)."""
        count, items = changes
        with self._lock:
            self._count = max(self._count, count)
            self._items.update(items)
            while len({k.split("/")[3] for k in self._items}) > self.keep:
                oldest = next(iter(self._items)).split("/")[3]
                for key in [k for k in self._items if k.split("/")[3] == oldest]:
                    del self._items[key]

    def get(self, uri: str) -> tuple[str, str]:
        with self._lock:
            found = self._items.get(uri)
        if found is None:
            raise ResourceNotFoundError(
                f"no result {uri!r}: the server keeps the last {self.keep} results; call the tool again"
            )
        return found


def _result(
    store: ResultStore,
    tool: str,
    document: BaseModel,
    make_summary: Any,
    detail: Detail,
    parts: dict[str, str] | None = None,
) -> CallToolResult:
    """The call's result: the summary as structured content; as text, a digest of it for clients that
    read only text (sending the same JSON twice doubled every result), naming the resources of its
    parts (a design's DDL per engine); a resource link to the full document; the full document itself
    when ``detail`` is full."""
    full = store.put(tool, document, parts)
    summary: BaseModel = make_summary(full)
    structured = summary.model_dump(mode="json", by_alias=True)
    content: list[Any] = [
        TextContent(type="text", text=summaries.digest(tool, summary)),
        ResourceLink(
            type="resource_link",
            uri=full.uri,
            name=full.uri.rsplit("/", 1)[1],
            title=f"The full {tool} result",
            description=f"every field (schema: {full.schema_uri})",
            mime_type="application/json",
            size=full.bytes,
        ),
    ]
    if detail == "full":
        mime, text = store.get(full.uri)
        content.append(
            EmbeddedResource(
                type="resource", resource=TextResourceContents(uri=full.uri, mime_type=mime, text=text)
            )
        )
    return CallToolResult(content=content, structured_content=structured)


#: The full result model of each tool (a resource publishes its JSON Schema).
_FULL_MODELS = {
    "inspect_brief": ("dbarchitect.mcp.outputs.inspection", "InspectionResult"),
    "design": ("dbarchitect.mcp.outputs.design", "DesignResult"),
    "recommend_indexes": ("dbarchitect.mcp.outputs.indexes", "IndexAdviceResult"),
    "plan_migration": ("dbarchitect.mcp.outputs.migration", "MigrationResult"),
    "check_design": ("dbarchitect.mcp.outputs.verdict", "VerdictResult"),
    "verify_design": ("dbarchitect.mcp.outputs.verification", "VerificationResult"),
}


def full_result_schema(tool: str) -> dict[str, Any]:
    import importlib

    if tool not in _FULL_MODELS:
        raise ResourceNotFoundError(
            f"no result schema for {tool!r}{did_you_mean(tool, list(_FULL_MODELS))}; "
            f"the tools with full results are {', '.join(_FULL_MODELS)}"
        )
    module, name = _FULL_MODELS[tool]
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model.model_json_schema()
