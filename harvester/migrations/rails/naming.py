"""Names Rails gives what a migration does not name: tables of models, indexes, constraints.

add_index :users, [:org_id, :email]    # index_users_on_org_id_and_email
add_foreign_key :posts, :users         # fk_rails_<first 10 hex of sha256("posts_user_id_fk")>
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from harvester.migrations.rails.versions import RailsVersion

_MAX_INDEX_NAME = 62
# Ruby's `\w` and `\W`: ASCII word characters only.
_WORDS = re.compile(r"\w+", re.ASCII)
_NON_WORD = re.compile(r"\W", re.ASCII)
# Rails' own engines isolate their namespace, which prefixes their tables with the engine's name.
_ENGINE_PREFIXES = {
    "ActiveStorage": "active_storage_",
    "ActionText": "action_text_",
    "ActionMailbox": "action_mailbox_",
}

# ActiveSupport's default English inflections, most specific last (checked first).
_PLURALS = (
    (r"$", "s"),
    (r"s$", "s"),
    (r"^(ax|test)is$", r"\1es"),
    (r"(octop|vir)us$", r"\1i"),
    (r"(octop|vir)i$", r"\1i"),
    (r"(alias|status)$", r"\1es"),
    (r"(bu)s$", r"\1ses"),
    (r"(buffal|tomat)o$", r"\1oes"),
    (r"([ti])um$", r"\1a"),
    (r"([ti])a$", r"\1a"),
    (r"sis$", "ses"),
    (r"(?:([^f])fe|([lr])f)$", r"\1\2ves"),
    (r"(hive)$", r"\1s"),
    (r"([^aeiouy]|qu)y$", r"\1ies"),
    (r"(x|ch|ss|sh)$", r"\1es"),
    (r"(matr|vert|ind)(?:ix|ex)$", r"\1ices"),
    (r"^(m|l)ouse$", r"\1ice"),
    (r"^(m|l)ice$", r"\1ice"),
    (r"^(ox)$", r"\1en"),
    (r"^(oxen)$", r"\1"),
    (r"(quiz)$", r"\1zes"),
)
_SINGULARS = (
    (r"s$", ""),
    (r"(ss)$", r"\1"),
    (r"(n)ews$", r"\1ews"),
    (r"([ti])a$", r"\1um"),
    (r"((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)(sis|ses)$", r"\1sis"),
    (r"(^analy)(sis|ses)$", r"\1sis"),
    (r"([^f])ves$", r"\1fe"),
    (r"(hive)s$", r"\1"),
    (r"(tive)s$", r"\1"),
    (r"([lr])ves$", r"\1f"),
    (r"([^aeiouy]|qu)ies$", r"\1y"),
    (r"(s)eries$", r"\1eries"),
    (r"(m)ovies$", r"\1ovie"),
    (r"(x|ch|ss|sh)es$", r"\1"),
    (r"^(m|l)ice$", r"\1ouse"),
    (r"(bus)(es)?$", r"\1"),
    (r"(o)es$", r"\1"),
    (r"(shoe)s$", r"\1"),
    (r"(cris|test)(is|es)$", r"\1is"),
    (r"^(a)x[ie]s$", r"\1xis"),
    (r"(octop|vir)(us|i)$", r"\1us"),
    (r"(alias|status)(es)?$", r"\1"),
    (r"^(ox)en", r"\1"),
    (r"(vert|ind)ices$", r"\1ex"),
    (r"(matr)ices$", r"\1ix"),
    (r"(quiz)zes$", r"\1"),
    (r"(database)s$", r"\1"),
)
_IRREGULAR = {
    "person": "people",
    "man": "men",
    "child": "children",
    "sex": "sexes",
    "move": "moves",
    "zombie": "zombies",
}
_UNCOUNTABLE = frozenset(
    [
        "equipment",
        "information",
        "rice",
        "money",
        "species",
        "series",
        "fish",
        "sheep",
        "jeans",
        "police",
    ]
)


def pluralize(word: str) -> str:
    """`word` in the plural, as ActiveSupport's default inflections make it."""
    lower = word.lower()
    if lower in _UNCOUNTABLE:
        return word
    for singular, plural in _IRREGULAR.items():
        if lower.endswith(singular):
            return word[: len(word) - len(singular)] + plural
    return _inflect(word, _PLURALS)


def _inflect(word: str, rules: Sequence[tuple[str, str]]) -> str:
    for pattern, replacement in reversed(rules):
        if re.search(pattern, word, re.IGNORECASE):
            return re.sub(pattern, replacement, word, count=1, flags=re.IGNORECASE)
    return word


def singularize(word: str) -> str:
    """`word` in the singular, as ActiveSupport's default inflections make it."""
    lower = word.lower()
    if lower in _UNCOUNTABLE:
        return word
    for singular, plural in _IRREGULAR.items():
        if lower.endswith(plural):
            return word[: len(word) - len(plural)] + singular
    return _inflect(word, _SINGULARS)


def column_for_table(table: str) -> str:
    """`users` -> `user_id`: the column a foreign key to `table` uses by default."""
    return singularize(table) + "_id"


def underscore(name: str) -> str:
    """`FamilyExport` -> `family_export` (the last segment of a `A::B` constant)."""
    last = name.split("::")[-1]
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", last)
    return re.sub(r"([a-z\d])([A-Z])", r"\1_\2", spaced).lower()


def table_of_model(constant: str) -> str | None:
    """The table Rails would use for model `constant` (no custom `table_name`); None for a
    namespaced model of the app, whose module or enclosing model may prefix the table."""
    prefix = table_name_prefix(constant)
    return None if prefix is None else prefix + pluralize(underscore(constant))


def nested_model_tables(constant: str) -> tuple[str, ...]:
    """The tables a namespaced model of the app may use by Rails' defaults: nested in a model
    (`InvoiceRun::ProcessedSubject` -> `invoice_run_processed_subjects`) or in a module
    without a prefix (`processed_subjects`)."""
    namespace, _, _ = constant.rpartition("::")
    if not namespace:
        return ()
    plain = pluralize(underscore(constant))
    parents = [singularize(underscore(part)) for part in namespace.split("::")]
    return ("_".join([*parents, plain]), plain)


def table_name_prefix(constant: str) -> str | None:
    """`Model.table_name_prefix` by Rails' defaults ("" for a model outside any module)."""
    namespace, _, _ = constant.rpartition("::")
    return _ENGINE_PREFIXES.get(namespace) if namespace else ""


def index_name(table: str, columns: Sequence[str] | str, version: RailsVersion) -> str:
    """`index_<table>_on_<a>_and_<b>`, shortened with a hash past 62 bytes from Rails 7.1.
    An expression written as one string is named by its words, as Rails does since 5.2
    (`"lower(email) varchar_pattern_ops"` -> `index_users_on_lower_email_varchar_pattern_ops`)."""
    if isinstance(columns, str):
        words = _WORDS.findall(columns) if _NON_WORD.search(columns) else [columns]
        columns = ["_".join(words)]
    name = f"index_{table}_on_{'_and_'.join(columns)}"
    if len(name.encode()) <= _MAX_INDEX_NAME or version < (7, 1):
        return name
    suffix = "_" + hashlib.sha256(name.encode()).hexdigest()[:10]
    short = f"idx_on_{'_'.join(columns)}".encode()[: _MAX_INDEX_NAME - len(suffix)]
    return short.decode(errors="ignore") + suffix


def foreign_key_name(table: str, columns: Sequence[str]) -> str:
    """`fk_rails_<hash>`: the first 10 hex digits of sha256 of `<table>_<cols>_fk`."""
    return _hashed("fk_rails_", f"{table}_{'_and_'.join(columns)}_fk")


def check_name(table: str, expression: str) -> str:
    """`chk_rails_<hash>` of `<table>_<expression>_chk`."""
    return _hashed("chk_rails_", f"{table}_{expression}_chk")


def exclusion_name(table: str, expression: str) -> str:
    """`excl_rails_<hash>` of `<table>_<expression>_excl` (PostgreSQL)."""
    return _hashed("excl_rails_", f"{table}_{expression}_excl")


def unique_constraint_name(table: str, columns: Sequence[str]) -> str:
    """`uniq_rails_<hash>` of `<table>_<cols>_unique` (PostgreSQL)."""
    return _hashed("uniq_rails_", f"{table}_{'_and_'.join(columns)}_unique")


def _hashed(prefix: str, identifier: str) -> str:
    return prefix + hashlib.sha256(identifier.encode()).hexdigest()[:10]


def join_table_name(first: str, second: str) -> str:
    """`create_join_table :users, :roles` -> `roles_users` (common prefixes merged)."""
    a, b = sorted((first, second))
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    common = a[:prefix]
    cut = common.rfind("_") + 1 if "_" in common else 0
    return a + "_" + b[cut:] if cut else f"{a}_{b}"
