"""The models as a project's migrations have built them so far, rebuilt without running Django.

Replaying `CreateModel`, `AddField`, `AlterField`, … in execution order gives each model's
fields and options at any migration, so that an `AlterField` can be compared with the field it
replaces and a foreign key knows the table and key type it points at.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from harvester.migrations.django import fields as django_fields
from harvester.migrations.django.fields import FieldClass, FieldSpec
from harvester.migrations.django.naming import table_name
from harvester.migrations.pyast import Value, strings
from harvester.migrations.schema.ops import Dialect

# Models of django.contrib that a project's migrations point at without defining them.
# Django's own models that project migrations reference: table, primary key and its type.
_CONTRIB_TABLES = {
    ("auth", "user"): ("auth_user", "id", "integer"),
    ("auth", "group"): ("auth_group", "id", "integer"),
    ("auth", "permission"): ("auth_permission", "id", "integer"),
    ("contenttypes", "contenttype"): ("django_content_type", "id", "integer"),
    ("sites", "site"): ("django_site", "id", "integer"),
    ("admin", "logentry"): ("django_admin_log", "id", "integer"),
    ("sessions", "session"): ("django_session", "session_key", "varchar(40)"),
}


@dataclass(frozen=True, slots=True)
class ModelState:
    """A model as the migrations so far define it."""

    app_label: str
    name: str
    fields: tuple[tuple[str, FieldSpec], ...] = ()
    options: Mapping[str, Value] = field(default_factory=dict)
    bases: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """`(app_label, model name lower-cased)`, as Django keys models."""
        return self.app_label, self.name.lower()

    @property
    def table(self) -> str:
        """The model's table."""
        return table_name(self.app_label, self.name, self.options.get("db_table"))

    @property
    def has_table(self) -> bool:
        """False for proxy and unmanaged models: Django runs no DDL for them."""
        return self.options.get("proxy") is not True and self.options.get("managed") is not False

    def field(self, name: str) -> FieldSpec | None:
        """The field called `name` (case-insensitively, as Django matches them)."""
        for field_name, spec in self.fields:
            if field_name.lower() == name.lower():
                return spec
        return None

    def primary_key(self) -> tuple[str, FieldSpec] | None:
        """The primary-key field."""
        for field_name, spec in self.fields:
            if spec.primary_key:
                return field_name, spec
        return None

    def with_field(self, name: str, spec: FieldSpec) -> ModelState:
        """The model with `name` added or replaced."""
        kept = [(n, s) for n, s in self.fields if n.lower() != name.lower()]
        if len(kept) == len(self.fields):
            return replace(self, fields=(*self.fields, (name, spec)))
        return replace(
            self,
            fields=tuple((n, spec if n.lower() == name.lower() else s) for n, s in self.fields),
        )

    def without_field(self, name: str) -> ModelState:
        """The model without `name`."""
        return replace(
            self, fields=tuple((n, s) for n, s in self.fields if n.lower() != name.lower())
        )

    def with_option(self, name: str, value: Value) -> ModelState:
        """The model with one option set (None removes it)."""
        options = {k: v for k, v in self.options.items() if k != name}
        if value is not None and value != ():
            options[name] = value
        return replace(self, options=options)

    def with_names(self, names: Mapping[str, str | None]) -> ModelState:
        """The model remembering the database names of indexes and constraints as they were
        created (`"fk:author"`, `"index:title"`, `"unique_together:title,isbn"`); None forgets.

        Names are remembered because renaming a table or a column does not rename them."""
        kept = {k: v for k, v in self.names.items() if k not in names}
        kept.update({k: v for k, v in names.items() if v is not None})
        return replace(self, names=kept)

    def names_of_field(self, name: str) -> dict[str, str]:
        """The remembered names of one field's indexes and constraints."""
        return {k: v for k, v in self.names.items() if k.split(":", 1)[1] == name}

    def with_field_renamed_in_names(self, old: str, new: str) -> ModelState:
        """Remembered names keyed by the new field name (the names themselves stay)."""

        def rekey(key: str) -> str:
            """The key with the field renamed."""
            kind, _, fields = key.partition(":")
            return kind + ":" + ",".join(new if f == old else f for f in fields.split(","))

        return replace(self, names={rekey(k): v for k, v in self.names.items()})

    def listed(self, option: str) -> tuple[Value, ...]:
        """An option holding a list (`indexes`, `constraints`, `unique_together`)."""
        value = self.options.get(option)
        return value if isinstance(value, tuple) else ()


@dataclass(frozen=True, slots=True)
class Target:
    """What a foreign key points at: table, column and the column type it needs."""

    table: str
    column: str
    type: str | None
    model: ModelState | None


class ProjectState:
    """Every model of every app, as replay has built it so far."""

    def __init__(
        self,
        settings: Mapping[str, str] | None = None,
        field_bases: Mapping[str, FieldClass] | None = None,
    ) -> None:
        self.models: dict[tuple[str, str], ModelState] = {}
        self.settings = dict(settings or {})
        # the project's own field classes, by dotted name: the Django field each subclasses
        self.field_bases = dict(field_bases or {})

    def copy(self) -> ProjectState:
        """An independent copy (models are immutable, so a shallow copy is enough)."""
        clone = ProjectState(self.settings, self.field_bases)
        clone.models = dict(self.models)
        return clone

    def default_auto_field(self, app_label: str) -> str | None:
        """The key field class Django gives models of `app_label` that declare none (an
        automatic many-to-many table's `id`): the app's `default_auto_field`, else the
        DEFAULT_AUTO_FIELD setting; None when the project says neither."""
        return self.settings.get(f"{app_label}.default_auto_field") or self.settings.get(
            "DEFAULT_AUTO_FIELD"
        )

    def get(self, app_label: str, name: str) -> ModelState | None:
        """The model `app_label.name`, if replay has seen it."""
        return self.models.get((app_label, name.lower()))

    def put(self, model: ModelState) -> None:
        """Add or replace a model."""
        self.models[model.key] = model

    def remove(self, app_label: str, name: str) -> ModelState | None:
        """Remove a model, returning it."""
        return self.models.pop((app_label, name.lower()), None)

    def resolve(self, reference: str, app_label: str) -> tuple[str, str]:
        """`(app_label, model)` for a reference as migrations write it: `"api.Check"`,
        `"Check"` (same app), `settings.AUTH_USER_MODEL`."""
        if reference.startswith("settings."):
            reference = self.settings.get(reference.split(".", 1)[1], "auth.User")
        if "." in reference:
            app, model = reference.rsplit(".", 1)
            return app, model
        return app_label, reference

    def concrete(self, model: ModelState) -> ModelState:
        """The model that owns the table of a proxy model."""
        seen = set()
        while model.options.get("proxy") is True and model.key not in seen:
            seen.add(model.key)
            parent = next((b for b in model.bases if "." in b), None)
            found = self.get(*self.resolve(parent, model.app_label)) if parent else None
            if found is None:
                break
            model = found
        return model

    def table_of(self, model: ModelState) -> str:
        """The table a model's rows live in (a proxy's is its concrete model's)."""
        model = self.concrete(model)
        outside = self._proxied_outside(model)
        return self.target(outside, model.app_label, None, None).table if outside else model.table

    def _proxied_outside(self, model: ModelState) -> str | None:
        """The model a proxy stands for when no migration of the project creates it (a proxy
        of `auth.User`): its table is that model's, never one named after the proxy."""
        if model.options.get("proxy") is not True:
            return None
        parent = next((b for b in model.bases if "." in b), None)
        if parent is None or self.get(*self.resolve(parent, model.app_label)) is not None:
            return None
        return parent

    def target(
        self, reference: str, app_label: str, to_field: str | None, dialect: Dialect | None
    ) -> Target:
        """What a foreign key written as `reference` points at."""
        app, name = self.resolve(reference, app_label)
        model = self.get(app, name)
        if model is None:
            known = _CONTRIB_TABLES.get((app, name.lower()))
            if known is None:
                return Target(table_name(app, name), to_field or "id", None, None)
            table, key, key_type = known
            return Target(
                table, to_field or key, key_type if to_field in (None, key) else None, None
            )
        model = self.concrete(model)
        outside = self._proxied_outside(model)
        if outside is not None:
            return self.target(outside, model.app_label, to_field, dialect)
        if to_field:
            spec = model.field(to_field)
            column = django_fields.column_name(to_field, spec) if spec else to_field
        else:
            pk = model.primary_key()
            spec = pk[1] if pk else None
            column = django_fields.column_name(pk[0], pk[1]) if pk else "id"
        kind = self._referenced_type(model, spec, dialect) if spec else None
        return Target(model.table, column, kind, model)

    def _referenced_type(
        self, model: ModelState, spec: FieldSpec, dialect: Dialect | None
    ) -> str | None:
        if spec.relation is not None and not spec.relation.many:
            # A primary key that is itself a foreign key (multi-table inheritance).
            return self.target(spec.relation.to, model.app_label, None, dialect).type
        return django_fields.related_type(spec, dialect)

    def referencing(self, model: ModelState) -> Iterator[tuple[ModelState, str, FieldSpec]]:
        """Every concrete foreign key in the project that points at `model`'s primary key."""
        for other in self.models.values():
            for name, spec in other.fields:
                relation = spec.relation
                if relation is None or relation.many or relation.to_field:
                    continue
                app, target = self.resolve(relation.to, other.app_label)
                if (app, target.lower()) == model.key:
                    yield other, name, spec


def model_bases(value: Value) -> tuple[str, ...]:
    """The model bases of a `CreateModel` that name other models (`"api.check"`)."""
    return strings(value)
