"""Markdown output: the built-in template, or a user's template rendered in a sandbox."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from harvester.config import UserTemplate
from harvester.errors import TemplateError
from harvester.model import Report
from harvester.render.document import document_view
from harvester.render.escape import code_span, finalize
from harvester.render.json_report import to_data

TEMPLATE_NAME = "report.md.j2"


def templates_dir() -> Path:
    """Where the built-in templates are: inside the wheel, or `templates/` in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "templates"


def render_markdown(report: Report, fold: tuple[str, ...] = ()) -> str:
    """The technical-implementation document for `report`; files under `fold` folders are
    folded in Files Modified."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(templates_dir()),
        undefined=StrictUndefined,
        autoescape=False,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    text = environment.get_template(TEMPLATE_NAME).render(doc=document_view(report, fold))
    return text.rstrip("\n") + "\n"


def render_user_template(report: Report, template: UserTemplate) -> str:
    """Render a user's template sandboxed, with the JSON report's data as `report`.

    Values print escaped for Markdown; `code` makes an inline code span.
    """
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    source = template.text
    environment = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=finalize,
        keep_trailing_newline=True,
    )
    environment.filters["code"] = code_span
    data: Any = to_data(report)
    try:
        compiled = environment.from_string(source)
        return compiled.render(report=data)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"{template.name}:{error.lineno}: template syntax error: {error.message}"
        ) from error
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as error:
        line = _template_line(error)
        where = f"{template.name}:{line}" if line else template.name
        raise TemplateError(f"{where}: template error: {error}") from error


def _template_line(error: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None
