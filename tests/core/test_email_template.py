"""The badge email's templates: the safe subset, escaping, and errors that name part and line."""

from __future__ import annotations

import pytest

from vcengine.core.email_template import (
    DEFAULT_TEMPLATE,
    MAX_TEMPLATE_CHARS,
    VARIABLES,
    EmailTemplate,
    check_template,
    render_email,
)
from vcengine.errors import InputError

VALUES = {
    "recipient_name": "Ada <Lovelace>",
    "achievement_name": "Python & Data",
    "achievement_description": "Writes Python.",
    "issuer_name": "Acme Academy",
    "organization_name": "Acme Academy",
    "claim_url": "https://vc.example/claim/abc",
    "credential_url": "https://vc.example/credentials/1",
    "linkedin_url": "https://vc.example/credentials/1/linkedin",
    "badge_image_url": "https://vc.example/credentials/1/badge.png",
    "valid_until": None,
    "claim_expires": "1 January 2027",
}


def test_the_default_template_carries_name_badge_claim_and_linkedin() -> None:
    content = render_email(DEFAULT_TEMPLATE, VALUES)
    assert content.subject == "Ada <Lovelace>, you earned Python & Data"
    assert "Dear Ada <Lovelace>," in content.text  # text is not HTML: nothing escaped
    assert "Accept your badge: https://vc.example/claim/abc" in content.text
    assert "Dear Ada &lt;Lovelace&gt;," in content.html  # HTML is autoescaped
    assert "<strong>Python &amp; Data</strong>" in content.html
    for url in ("claim_url", "linkedin_url", "badge_image_url", "credential_url"):
        assert f'"{VALUES[url]}"' in content.html
    assert "Valid until" not in content.text  # no validUntil: the {% if %} leaves it out


def test_a_subject_is_one_line_so_it_cannot_add_headers() -> None:
    template = EmailTemplate("Hi\n{{ recipient_name }}\r\nBcc: x@evil.example", "h", "t")
    assert render_email(template, VALUES).subject == "Hi Ada <Lovelace> Bcc: x@evil.example"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% for x in achievement_name %}{{ x }}{% endfor %}", "line 1: for is not allowed"),
        ("hello\n{{ secret_key }}", "line 2: no value 'secret_key'"),
        ("{{ issuer_name | attr('x') }}", "line 1: no filter 'attr'"),
        ("{{ issuer_name.__class__ }}", "line 1: getattr is not allowed"),
        ("{{ lipsum() }}", "line 1: call is not allowed"),
        ("{% include 'x' %}", "line 1: include is not allowed"),
        ("a\nb\n{{ issuer_name ", "line 3: unexpected end of template"),
    ],
)
def test_what_a_template_may_not_do_is_named_with_its_line(source: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        check_template(EmailTemplate("ok", source, "ok"))
    assert caught.value.path == "html"
    assert caught.value.message.startswith(message)


def test_the_size_and_an_empty_subject_are_bounded() -> None:
    with pytest.raises(InputError, match="at most"):
        check_template(EmailTemplate("x" * (MAX_TEMPLATE_CHARS + 1), "h", "t"))
    with pytest.raises(InputError, match="empty subject"):
        render_email(EmailTemplate("{{ valid_until or '' }}", "h", "t"), VALUES)


def test_every_variable_can_be_used() -> None:
    source = " ".join(f"{{{{ {name} | default('-') }}}}" for name in VARIABLES)
    check_template(EmailTemplate(source, source, source))
    assert "Acme Academy" in render_email(EmailTemplate(source, source, source), VALUES).text
