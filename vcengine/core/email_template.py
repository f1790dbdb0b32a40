"""The badge email's templates: a subject, an HTML body and a text body, in a small, safe Jinja.

An organization may edit its templates, so they are untrusted text. They are rendered in Jinja's
``SandboxedEnvironment`` and, before that, held to a subset that cannot loop or call: output
(``{{ name }}``, attributes, the filters in ``FILTERS``), ``{% if %}`` / ``{% elif %}`` /
``{% else %}``, literals, comparisons and ``and``/``or``/``not``. Rendering time is thus linear in
the template's and values' sizes. The HTML body is autoescaped; the subject and text are not
(they are not HTML), and the subject is folded to one line.

Errors are ``InputError`` with ``path`` naming the part (``subject``, ``html``, ``text``) and the
message naming the line and what is wrong, so an editor can point at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from vcengine.errors import InputError

__all__ = [
    "DEFAULT_TEMPLATE",
    "FILTERS",
    "MAX_TEMPLATE_CHARS",
    "VARIABLES",
    "EmailContent",
    "EmailTemplate",
    "check_template",
    "render_email",
]

MAX_TEMPLATE_CHARS = 20_000
MAX_SUBJECT_CHARS = 250
#: The values a template can use (all strings, or None where the credential has none);
#: ``reminder`` is "yes" in the reminder sent before ``valid_until``, else None.
VARIABLES = (
    "recipient_name",
    "achievement_name",
    "achievement_description",
    "issuer_name",
    "organization_name",
    "claim_url",
    "wallet_url",
    "credential_url",
    "linkedin_url",
    "badge_image_url",
    "valid_until",
    "claim_expires",
    "reminder",
)
FILTERS = frozenset({"default", "upper", "lower", "title", "capitalize", "trim", "truncate", "e", "escape"})
_ALLOWED = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.If,
    nodes.Filter, nodes.Compare, nodes.Operand, nodes.And, nodes.Or, nodes.Not, nodes.CondExpr,
    nodes.Concat, nodes.Keyword,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    subject: str
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class EmailContent:
    subject: str
    html: str
    text: str


DEFAULT_TEMPLATE = EmailTemplate(
    subject="{% if reminder %}Reminder: {{ achievement_name }} expires on {{ valid_until }}"
    "{% else %}{{ recipient_name or 'Hello' }}, you earned {{ achievement_name }}{% endif %}",
    html="""<!doctype html>
<html lang="en"><body style="margin:0;background:#f4f6f9;color:#1b2430;
  font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0">
<tr><td align="center" style="padding:32px 12px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0"
  style="max-width:560px;background:#fff;border:1px solid #e3e7ee;border-radius:14px">
<tr><td align="center" style="padding:28px 28px 8px">
<img src="{{ badge_image_url }}" alt="Badge: {{ achievement_name }}" width="180" height="180"
  style="display:block">
</td></tr>
<tr><td style="padding:8px 28px 28px">
<p style="font-size:16px">{% if recipient_name %}Dear {{ recipient_name }},{% else %}Hello,{% endif %}</p>
{% if reminder %}<p style="font-size:16px">Your badge <strong>{{ achievement_name }}</strong> from
  {{ issuer_name }} expires on {{ valid_until }}.</p>
{% else %}<p style="font-size:16px">{{ issuer_name }} has awarded you
  <strong>{{ achievement_name }}</strong>.</p>
{% endif %}
{% if achievement_description %}<p style="color:#5b6675">{{ achievement_description }}</p>{% endif %}
<p style="text-align:center;margin:28px 0"><a href="{{ claim_url }}" style="background:#1f4e79;
  color:#fff;padding:12px 22px;border-radius:10px;text-decoration:none;font-weight:600"
  >Accept your badge</a></p>
<p style="text-align:center"><a href="{{ linkedin_url }}"
  style="color:#0a66c2;font-weight:600">Add to LinkedIn profile</a>
  {% if wallet_url %}&nbsp;·&nbsp;<a href="{{ wallet_url }}" style="color:#1f4e79;font-weight:600"
  >Add to your digital wallet</a>{% endif %}</p>
{% if valid_until %}<p style="color:#5b6675;font-size:14px">Valid until {{ valid_until }}.</p>{% endif %}
<p style="color:#5b6675;font-size:13px">The link to accept your badge works until {{ claim_expires }}.
  Anyone can check the badge at <a href="{{ credential_url }}">{{ credential_url }}</a>.</p>
</td></tr></table></td></tr></table>
</body></html>
""",
    text="""{% if recipient_name %}Dear {{ recipient_name }},{% else %}Hello,{% endif %}

{% if reminder %}Your badge {{ achievement_name }} from {{ issuer_name }} expires on {{ valid_until }}.
{% else %}{{ issuer_name }} has awarded you {{ achievement_name }}.
{% endif %}{% if achievement_description %}
{{ achievement_description }}
{% endif %}

Accept your badge: {{ claim_url }}
Add it to your LinkedIn profile: {{ linkedin_url }}
{% if wallet_url %}Add it to your digital wallet (OpenID4VCI, Learner Credential Wallet): {{ wallet_url }}
{% endif %}{% if valid_until %}Valid until {{ valid_until }}.
{% endif %}

The link to accept your badge works until {{ claim_expires }}.
Anyone can check the badge at {{ credential_url }}
""",
)


@lru_cache(maxsize=2)
def _environment(html: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True
    )
    env.filters = {name: f for name, f in env.filters.items() if name in FILTERS}
    return env


def _refuse(part: str, node: nodes.Node) -> None:
    for child in node.iter_child_nodes():
        if not isinstance(child, _ALLOWED):
            what = type(child).__name__.lower()
            raise InputError(
                f"line {child.lineno}: {what} is not allowed in an email template "
                "(only {{ values }}, filters and {% if %})",
                path=part,
            )
        if isinstance(child, nodes.Filter) and child.name not in FILTERS:
            raise InputError(f"line {child.lineno}: no filter {child.name!r}", path=part)
        if isinstance(child, nodes.Name) and child.ctx == "load" and child.name not in VARIABLES:
            raise InputError(
                f"line {child.lineno}: no value {child.name!r} (use {', '.join(VARIABLES)})", path=part
            )
        _refuse(part, child)


def _parse(part: str, source: str, html: bool) -> Any:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise InputError(f"must be at most {MAX_TEMPLATE_CHARS} characters", path=part)
    env = _environment(html)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise InputError(f"line {exc.lineno}: {exc.message}", path=part) from None
    _refuse(part, tree)
    return env.from_string(tree)


def check_template(template: EmailTemplate) -> None:
    """``InputError`` (naming the part and line) unless every part is a valid email template."""
    _parse("subject", template.subject, False)
    _parse("html", template.html, True)
    _parse("text", template.text, False)


def _render(part: str, source: str, html: bool, values: Mapping[str, Any]) -> str:
    try:
        return str(_parse(part, source, html).render(**values))
    except (UndefinedError, SecurityError, TypeError, ValueError) as exc:
        raise InputError(f"cannot render: {exc}", path=part) from None


def render_email(template: EmailTemplate, values: Mapping[str, Any]) -> EmailContent:
    """The subject, HTML and text of one message; ``values`` has every name in ``VARIABLES``."""
    full = {name: values.get(name) for name in VARIABLES}
    subject = " ".join(_render("subject", template.subject, False, full).split())
    if not subject:
        raise InputError("renders to an empty subject", path="subject")
    return EmailContent(
        subject=subject[:MAX_SUBJECT_CHARS],
        html=_render("html", template.html, True, full),
        text=_render("text", template.text, False, full),
    )
