"""Reading `schema.prisma` as a snapshot: models as tables (after `@@map`), scalar fields as
columns (after `@map`), enums, indexes and the datasource provider.

    model Segment {
      id        String @id @db.Uuid @map("segment_id")
      websiteId String @map("website_id") @db.Uuid
      website   Website @relation(fields: [websiteId], references: [id])

      @@index([websiteId])
      @@map("segment")
    }
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql_layouts.dialects import dialect_named
from harvester.migrations.sql_layouts.snapshots import SchemaShape

_BLOCK = re.compile(r"^\s*(model|enum|view|datasource|type|generator)\s+(\w+)\s*\{", re.M)
_FIELD = re.compile(r"^\s*(\w+)\s+(\w+(?:\([^)]*\))?)(\?|\[\])?(.*)$")
_MAP = re.compile(r"@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"")
_TABLE_MAP = re.compile(r"@@map\(\s*(?:name\s*:\s*)?\"([^\"]+)\"")
_NATIVE = re.compile(r"@db\.(\w+(?:\([^)]*\))?)")
# `@@index([a, b])`, `@@index(fields: [a])`, and a single field without brackets `@@index(a)`
_KEYS = re.compile(r"@@(index|unique|id)\(\s*(?:fields\s*:\s*)?(?:\[([^\]]*)\]|(\w+))")
_PROVIDER = re.compile(r"provider\s*=\s*\"(\w+)\"")
_SCALARS = frozenset(
    [
        "String",
        "Boolean",
        "Int",
        "BigInt",
        "Float",
        "Decimal",
        "DateTime",
        "Json",
        "Bytes",
        "Unsupported",
    ]
)


@dataclass
class _Model:
    name: str
    kind: str
    lines: list[str] = field(default_factory=list)


def prisma_shape(text: str) -> SchemaShape:
    """The tables, columns, enums and indexes a Prisma schema (or several files of one) defines."""
    blocks = _blocks(text)
    models = {b.name for b in blocks if b.kind in ("model", "view")}
    enums = {b.name: b for b in blocks if b.kind == "enum"}
    tables: dict[str, dict[str, str]] = {}
    objects: dict[str, str] = {}
    labels: dict[str, str] = {}
    for block in blocks:
        if block.kind == "enum":
            values = [line.split()[0] for line in block.lines if line and not line.startswith("@@")]
            objects[f"enum {block.name}"] = ", ".join(values)
            continue
        if block.kind not in ("model", "view"):
            continue
        mapped = _TABLE_MAP.search("\n".join(block.lines))
        table = mapped.group(1) if mapped else block.name
        labels[table] = f"{block.kind} {block.name}" + (f" (table {table})" if mapped else "")
        columns: dict[str, str] = {}
        for line in block.lines:
            parsed = _FIELD.match(line)
            if not parsed or line.startswith("@@"):
                continue
            name, type_name, marker, rest = parsed.groups()
            base_type = type_name.split("(")[0]
            if base_type in models or (base_type not in _SCALARS and base_type not in enums):
                continue
            column = _MAP.search(rest)
            native = _NATIVE.search(rest)
            shown = type_name + (marker or "") + (f" @db.{native.group(1)}" if native else "")
            default = _default(rest)
            shown += f" @default({default})" if default is not None else ""
            columns[column.group(1) if column else name] = shown
            if "@unique" in rest:
                objects[f"unique {table}({name})"] = ""
        tables[table] = columns
        for kind, listed, single in _KEYS.findall("\n".join(block.lines)):
            keys = listed or single
            if kind != "id":
                objects[f"{kind} {table}({', '.join(k.strip() for k in keys.split(','))})"] = ""
    return SchemaShape(tables, objects, labels)


def _default(attributes: str) -> str | None:
    """The argument of a field's `@default(…)`, parentheses balanced: `now()`, `"none"`."""
    start = attributes.find("@default(")
    if start < 0:
        return None
    depth, begin = 0, start + len("@default(")
    for index in range(begin, len(attributes)):
        depth += {"(": 1, ")": -1}.get(attributes[index], 0)
        if depth < 0:
            return attributes[begin:index].strip()
    return None


def prisma_provider(text: str) -> Dialect | None:
    """The dialect of a schema's `datasource` block (`provider = "postgresql"`)."""
    for block in _blocks(text):
        if block.kind == "datasource":
            match = _PROVIDER.search("\n".join(block.lines))
            if match:
                return dialect_named(match.group(1))
    return None


def _blocks(text: str) -> list[_Model]:
    lines = [_without_comment(line) for line in text.splitlines()]
    blocks: list[_Model] = []
    current: _Model | None = None
    for line in lines:
        stripped = line.strip()
        if current is None:
            opened = _BLOCK.match(line)
            if opened:
                current = _Model(opened.group(2), opened.group(1))
            continue
        if stripped.startswith("}"):
            blocks.append(current)
            current = None
        elif stripped:
            current.lines.append(stripped)
    return blocks


def _without_comment(line: str) -> str:
    in_string = False
    for index, char in enumerate(line):
        if char == '"':
            in_string = not in_string
        elif char == "/" and not in_string and line.startswith("//", index):
            return line[:index]
    return line
