"""The Jinja2 templates of what we write for people: the overview, the review page, the alert
e-mails. One way to load them (on first use, cached): autoescaped, since every value is text
from reports; a NULL prints nothing."""
from __future__ import annotations

import functools
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def template(name: str, folder: Path = TEMPLATES, strict: bool = False):
    """`strict`: a name the page uses that the caller did not give raises (the overview, whose
    every value comes from one query); else it prints nothing (messages whose parts are optional)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True,
                             undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
                             finalize=lambda v: "" if v is None else v)
    return env.get_template(name)
