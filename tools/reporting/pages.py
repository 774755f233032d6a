"""HTML pages from Jinja2 templates: autoescaped (member names, copy and rule messages are data),
strict about missing values, one environment per package that ships templates."""

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup


@cache
def environment(package: str) -> Environment:
    """The templates in `package`'s `templates/` directory."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = lambda value: f"{value:,.2f}"
    return env


def render_page(package: str, template: str, **context: Any) -> str:
    return environment(package).get_template(template).render(**context)


def svg(markup: str) -> Markup:
    """Chart markup built (and escaped) by `tools.reporting.charts`, to insert as it is."""
    return Markup(markup)
