"""Guessing a SQL text's dialect from the statements themselves: the weakest evidence, used only
when no lock file, folder name, file-name infix or configuration says which engine runs it."""

from __future__ import annotations

import re

from harvester.migrations.schema.ops import Dialect
from harvester.migrations.sql.split import strip_comments


def _patterns(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


_EVIDENCE: dict[Dialect, tuple[re.Pattern[str], ...]] = {
    Dialect.CLICKHOUSE: _patterns(
        r"\bENGINE\s*=\s*\w*MergeTree",
        r"\b(?:Nullable|LowCardinality|DateTime64)\s*\(",
        r"\bON\s+CLUSTER\b",
        r"\bEXCHANGE\s+TABLES\b",
        r"\bMATERIALIZED\s+VIEW\b[^;]*\bTO\b",
        r"\bORDER\s+BY\s*\([^)]*\)\s*(?:SETTINGS|PARTITION|TTL|$)",
    ),
    Dialect.MYSQL: _patterns(
        r"`\w+`",
        r"\bAUTO_INCREMENT\b",
        r"\bENGINE\s*=\s*(?:InnoDB|MyISAM|Aria)\b",
        r"\b(?:DEFAULT\s+)?CHARSET\s*=",
        r"\b(?:MODIFY|CHANGE)\s+COLUMN\b",
        r"\bUNSIGNED\b",
        r"\b(?:LONG|MEDIUM|TINY)TEXT\b",
    ),
    Dialect.SQLITE: _patterns(
        r"\bAUTOINCREMENT\b",
        r"\bPRAGMA\b",
        r"\bWITHOUT\s+ROWID\b",
        r"\bstrftime\s*\(",
        r"\bINSERT\s+OR\s+(?:REPLACE|IGNORE)\b",
    ),
    Dialect.POSTGRESQL: _patterns(
        r"\$\w*\$",
        r"::\s*\w+",
        r"\b(?:BIG)?SERIAL\b",
        r"\bJSONB\b",
        r"\bTIMESTAMPTZ\b|\bWITH(?:OUT)?\s+TIME\s+ZONE\b",
        r"\bCREATE\s+EXTENSION\b",
        r"\bCONCURRENTLY\b",
        r"\bUSING\s+(?:gin|gist|brin|hash)\b",
        r"\b(?:CREATE|ALTER)\s+TYPE\b",
        r"\bgen_random_uuid\s*\(",
        r"\bNOT\s+VALID\b",
    ),
}


# String literals say nothing of the engine (a comment's text: '… or `NULL` if unset').
_STRING = re.compile(r"'(?:[^'\\]|\\.|'')*'")
# Peculiarities show in DDL, which comes first; a seed file's megabytes of rows add none.
_SAMPLE = 256 * 1024


def guess_dialect(text: str) -> Dialect | None:
    """The dialect whose peculiarities `text` shows most (judged on its first 256 KB), or None
    when it shows none, or when two show as many."""
    code = _STRING.sub("''", strip_comments(text[:_SAMPLE]))
    scores = {
        dialect: sum(1 for pattern in patterns if pattern.search(code))
        for dialect, patterns in _EVIDENCE.items()
    }
    best = max(scores.values())
    leaders = [d for d, score in scores.items() if score == best]
    return leaders[0] if best > 0 and len(leaders) == 1 else None
