"""Included templates (a screen's section, the contents) rendered once per everything they can read, so a
rebuild in a long-lived process re-renders only the sections whose inputs changed.

An included template sees the whole template context. What it can read is found from its source and that of
every template it reaches (includes, extends, imports; an include named ``"prefix" ~ x ~ "suffix"`` reaches
every template so named, either end may be missing): its free names, and the attributes of ``ctx`` it takes.
The render is kept (``object_memo``) under the values of exactly those, the theme's template sources and the
player strings' translations, and only when the analysis can vouch for it: a template that reads
``ctx.screens`` (every other screen), uses ``ctx`` or ``loop`` whole, or reads ``loop.previtem``/``nextitem``/
``changed`` (other iterations) is always rendered, as is one whose inputs are not plain values (frozen views,
strings, numbers, tuples), or that is rendered as a parent of another (``extends``: the child's blocks are not
in the key). Only in a store that outlives the build (``cache.scope_lasts``): a one-off build renders a
locale's page once, so nothing kept would come back (and the analysis costs 0.05 s or more a process).
"""

from __future__ import annotations

import dataclasses
import gettext
from collections.abc import Hashable, Iterator, Mapping, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jinja2 import Environment, Template, nodes
from jinja2.meta import find_undeclared_variables
from jinja2.runtime import Context, LoopContext
from jinja2.utils import missing

from courseforge.cache import digest, scope_lasts
from courseforge.i18n.runtime import CatalogTranslations
from courseforge.object_memo import Same, kept
from courseforge.stages.render import views
from courseforge.stages.render.fallback import has_marks

SECTION = "template-section"
FROZEN = "frozen-view"
FROZEN_WEIGHT = 4096
"""About what an activity's view holds (it is kept alive with its spelled-out key)."""
DEEP_VIEWS = frozenset({views.QuizView, views.SurveyView, views.ChecklistView, views.QuestionView})
"""Views with many parts, kept as objects by the render (``build_views.screen_view``)."""
SECTION_VERSION = 1
"""Bump when a kept section could differ for the same key (how sections are rendered or keyed)."""
CONTEXT_NAME = "ctx"
EVERY_SCREEN = "screens"
LOOP = "loop"
LOOP_ACROSS_ITERATIONS = frozenset({"previtem", "nextitem", "changed"})
"""What a loop tells of iterations other than the current one: a template reading it is never kept."""
PLAIN = (str, int, float, bool, bytes, type(None))
TRANSLATION_NAMES = ("_", "gettext", "ngettext", "pgettext", "npgettext")
"""The i18n extension's callables: read by any template with player strings (keyed as the environment's own,
and by the render's translations)."""


@dataclass(frozen=True)
class Reads:
    """What a template, and every template it reaches, can read from the context it is rendered in."""

    names: tuple[str, ...]
    context_attributes: tuple[str, ...]


def reached(template: nodes.Template, names: list[str]) -> tuple[str, ...] | None:
    """The templates ``template`` includes, extends or imports (None when one is named by an expression
    this cannot follow)."""
    found: list[str] = []
    for node in template.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
        named = getattr(node, "template", None)
        if isinstance(named, nodes.Const) and isinstance(named.value, str):
            found.append(named.value)
        elif isinstance(named, nodes.Concat):
            first, last = named.nodes[0], named.nodes[-1]
            prefix = str(first.value) if isinstance(first, nodes.Const) else ""
            suffix = str(last.value) if isinstance(last, nodes.Const) and len(named.nodes) > 1 else ""
            found.extend(name for name in names if name.startswith(prefix) and name.endswith(suffix))
        else:
            return None
    return tuple(found)


def own_reads(template: nodes.Template) -> Reads | None:
    """One template's free names and ``ctx`` attributes; None when it reads what no key can hold."""
    attributes: set[str] = set()
    taken = {id(node.node) for node in template.find_all(nodes.Getattr)}
    for node in template.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name) and node.node.name == CONTEXT_NAME:
            attributes.add(node.attr)
        if isinstance(node.node, nodes.Name) and node.node.name == LOOP and node.attr in LOOP_ACROSS_ITERATIONS:
            return None
    for name in template.find_all(nodes.Name):
        if name.name in (CONTEXT_NAME, LOOP) and name.ctx == "load" and id(name) not in taken:
            return None  # ctx or loop used whole: passed on, or indexed by what the key cannot see
    if EVERY_SCREEN in attributes:
        return None
    return Reads(tuple(sorted(find_undeclared_variables(template))), tuple(sorted(attributes)))


def template_reads(environment: Environment, name: str) -> Reads | None:
    """:func:`own_reads` over ``name`` and everything it reaches."""
    names = environment.list_templates()
    pending, seen = [name], set()
    free: set[str] = set()
    attributes: set[str] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        source = environment.loader.get_source(environment, current)[0] if environment.loader else None
        if source is None:
            return None
        parsed = environment.parse(source)
        reads, further = own_reads(parsed), reached(parsed, names)
        if reads is None or further is None:
            return None
        free.update(reads.names)
        attributes.update(reads.context_attributes)
        pending.extend(further)
    return Reads(tuple(sorted(free | set(TRANSLATION_NAMES))), tuple(sorted(attributes)))


_shapes: dict[type, tuple[str, ...] | None] = {}
_plain_names: dict[type, str] = {kind: kind.__qualname__ for kind in PLAIN}
"""The name a plain value's type is spelled as in a key, by its exact type."""


def shape(kind: type) -> tuple[str, ...] | None:
    """The field names of a frozen dataclass type (None for any other type), found once per type."""
    if kind not in _shapes:
        params = vars(kind).get("__dataclass_params__")
        _shapes[kind] = tuple(field.name for field in dataclasses.fields(kind)) if params and params.frozen else None
    return _shapes[kind]


def frozen(value: object) -> Hashable | None:
    """``value`` as a key part, its types spelled out (a str and Markup of the same text render differently):
    plain values, tuples and frozensets of them, and frozen dataclasses (render views) of them; None for
    anything else. (List comprehensions, not generators: this walks every screen's view on every render.)"""
    kind = type(value)
    plain = _plain_names.get(kind)
    if plain is not None:
        return (plain, value)
    if isinstance(value, PLAIN):
        plain = _plain_names[kind] = kind.__qualname__  # a subclass of one (Markup)
        return (plain, value)
    if isinstance(value, tuple | frozenset):
        parts = [frozen(item) for item in value]
    else:
        names = shape(kind)
        if names is None:
            return None
        parts = [frozen(getattr(value, name)) for name in names]
    return None if None in parts else (kind.__qualname__, tuple(parts))


def frozen_once(value: object) -> Hashable | None:
    """:func:`frozen`, kept for the very object (``object_memo.Same``): a kept activity view (a quiz's, with
    every question and choice) comes back as the same object on every rebuild, and is spelled out once."""
    if type(value) not in DEEP_VIEWS:
        return frozen(value)  # a page's view is two levels deep, and a new object each build
    return kept(FROZEN, Same(value), lambda: frozen(value), lambda _: FROZEN_WEIGHT)


@dataclass(frozen=True)
class KeptRender:
    """A section's render, its UTF-8 bytes and whether they hold a fallback mark (a page is written as bytes:
    ``theme.render_page`` takes these instead of encoding the same text again and searching it for marks on
    every render)."""

    text: str
    utf8: bytes
    marked: bool


class RenderSession:
    """What the sections kept in one render share: the translations they are keyed by (computed on first use,
    once a render), and the bytes of each kept render handed out, by the identity of its text (each is held
    here, so no id is reused while the render runs)."""

    def __init__(self, ui: gettext.NullTranslations) -> None:
        self.ui = ui
        self.handed: dict[int, KeptRender] = {}
        self.context_parts: dict[tuple[tuple[str, ...], int], tuple[object, Hashable | None]] = {}
        """The parts of the context a section's key takes, by the attributes read and the context's identity: every
        section of a render reads the same ``ctx`` (the contents' key spells out the whole course outline)."""

    @cached_property
    def translations(self) -> Hashable | None:
        return translations_key(self.ui)

    def hand_out(self, render: KeptRender) -> str:
        self.handed[id(render.text)] = render
        return render.text


_session: ContextVar[RenderSession | None] = ContextVar("courseforge_section_render", default=None)


def translations_key(ui: gettext.NullTranslations) -> Hashable | None:
    """The player strings' translations by content (None: a kind this cannot key)."""
    if type(ui) is gettext.NullTranslations:
        return ("none",)
    if not isinstance(ui, CatalogTranslations):
        return None
    catalog = ui.catalog
    rows = () if catalog is None else tuple(sorted(
        (repr(message.id), repr(message.string), message.context or "", message.fuzzy, tuple(sorted(message.flags)))
        for message in catalog))
    plural = None if catalog is None else catalog.plural_expr
    return digest(type(ui).__qualname__, getattr(ui.transform, "__qualname__", None), plural, repr(rows))


def with_translations(ui: gettext.NullTranslations) -> object:
    """Token for :func:`reset_translations`: starts a render whose kept sections are keyed by ``ui``."""
    return _session.set(RenderSession(ui))


def reset_translations(token: Any) -> None:
    _session.reset(token)


def kept_render(text: str) -> KeptRender | None:
    """``text``'s kept render when it is a kept section this render handed out, else None."""
    session = _session.get()
    found = session.handed.get(id(text)) if session is not None else None
    return found if found is not None and found.text is text else None


class IncludeContext:
    """The context an include would make for its template, not made until the template renders: a kept
    section's key reads only a few names, and looks them up where ``jinja2.runtime.new_context`` would put them
    (the locals over the variables, over the template's globals unless shared)."""

    def __init__(self, template: Template, variables: dict[str, Any] | None, shared: bool,
                 names: Mapping[str, Any] | None) -> None:
        self.template, self.variables, self.shared, self.names = template, variables or {}, shared, names

    def resolve_or_missing(self, name: str) -> Any:
        if self.names and (value := self.names.get(name, missing)) is not missing:
            return value
        if name in self.variables:
            return self.variables[name]
        if not self.shared and name in self.template.globals:
            return self.template.globals[name]
        return missing

    def made(self) -> Context:
        return self.template.new_context(self.variables, self.shared, self.names)


def own_blocks(template: Template, context: Context) -> bool:
    """Whether ``context`` renders ``template``'s own blocks (not a child's: the template is its parent)."""
    return all(len(found) == 1 and found[0] is template.blocks.get(block) for block, found in context.blocks.items())


class KeptSection:
    """An included template whose renders are kept by what it reads (everything else is its template's)."""

    def __init__(self, template: Template, reads: Reads, sources: str) -> None:
        self.template, self.reads, self.sources = template, reads, sources
        self.lazy = template.environment.context_class is Context
        """Whether an include's context can wait (:class:`IncludeContext` looks names up as ``Context`` does)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.template, name)

    def new_context(self, vars: dict[str, Any] | None = None, shared: bool = False,
                    locals: Mapping[str, Any] | None = None) -> Context | IncludeContext:
        if not self.lazy:
            return self.template.new_context(vars, shared, locals)
        return IncludeContext(self.template, vars, shared, locals)

    def key(self, context: Context | IncludeContext, session: RenderSession,
            translations: Hashable) -> Hashable | None:
        if isinstance(context, Context) and not own_blocks(self.template, context):
            return None  # rendered as another template's parent: the child's blocks are in play
        values: list[Hashable] = [SECTION_VERSION, self.sources, self.template.name, translations]
        resolve, environment_globals = context.resolve_or_missing, self.template.environment.globals
        for name in self.reads.names:
            value = resolve(name)
            if value is missing or value is environment_globals.get(name):
                values.append((name, "global" if value is not missing else "missing"))
            elif name == LOOP and isinstance(value, LoopContext):
                values.append((name, value.index0, value.length, value.depth0))
            else:
                part = self.context_part(value, session) if name == CONTEXT_NAME else frozen_once(value)
                if part is None:
                    return None
                values.append((name, part))
        return tuple(values)

    def context_part(self, value: object, session: RenderSession) -> Hashable | None:
        """The attributes of ``ctx`` the template reads (a missing one is read as missing), spelled out once a
        render for the same ``ctx`` (a frozen view: what it holds cannot change while the render runs)."""
        attributes = self.reads.context_attributes
        found = session.context_parts.get((attributes, id(value)))
        if found is not None and found[0] is value:
            return found[1]
        parts = tuple(("missing",) if (item := getattr(value, attribute, missing)) is missing else frozen(item)
                      for attribute in attributes)
        part = None if None in parts else parts
        if shape(type(value)) is not None:
            session.context_parts[(attributes, id(value))] = (value, part)
        return part

    def root_render_func(self, context: Context | IncludeContext) -> Iterator[str]:
        session = _session.get()
        translations = session.translations if session is not None else None
        key = self.key(context, session, translations) if session is not None and translations is not None else None
        if key is None or session is None:
            yield from self.template.root_render_func(made(context))
            return
        yield session.hand_out(kept(SECTION, key, lambda: rendered(self.template, made(context)), kept_weight))


def made(context: Context | IncludeContext) -> Context:
    return context.made() if isinstance(context, IncludeContext) else context


def rendered(template: Template, context: Context) -> KeptRender:
    text = "".join(template.root_render_func(context))
    utf8 = text.encode()
    return KeptRender(text, utf8, has_marks(utf8))


def kept_weight(render: KeptRender) -> int:
    return len(render.text) + len(render.utf8)


class SectionEnvironment(Environment):
    """A Jinja environment whose included templates are :class:`KeptSection` when their reads allow it."""

    def __init__(self, sources: str, **options: Any) -> None:
        super().__init__(**options)
        self.sources = sources
        self._sections: dict[str, tuple[Template, Template | KeptSection]] = {}

    def get_template(self, name: str | Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> Template:
        template = super().get_template(name, parent, globals)
        if parent is None or isinstance(name, Template):
            return template  # the page itself: not included
        if not scope_lasts():
            return template  # a one-off build renders each section once: keying it would cost, not save
        known = self._sections.get(template.name or "")
        if known is not None and known[0] is template:
            return known[1]  # type: ignore[return-value]
        reads = template_reads(self, template.name or "")
        wrapped: Template | KeptSection = template if reads is None else KeptSection(template, reads, self.sources)
        self._sections[template.name or ""] = (template, wrapped)
        return wrapped  # type: ignore[return-value]
