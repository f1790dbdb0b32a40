"""Hostile and malformed input (issue 2, "Bad input"): each gets a clear error naming what is wrong,
never a crash, a hang or "verified". Times are measured by pytest's --durations, not asserted."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest

from tests.conftest import NOW, VECTORS, load
from vcengine.cli import main
from vcengine.core.keys import KeyPair
from vcengine.core.proofs.data_integrity import add_proof
from vcengine.core.resolve import OfflineResolver
from vcengine.core.verify import verify_credential
from vcengine.errors import InputError, JsonLdError

KEY = KeyPair.from_seed(bytes(range(32)))


def _ob() -> dict:
    doc = load("1edtech-ob-impl-guide/ob3-eddsa-rdfc-2022-vector.json")["unsigned_credential"]
    doc["issuer"]["id"] = KEY.public.did_key
    return doc


def _signed(doc: dict) -> dict:
    return add_proof(doc, KEY, verification_method=KEY.public.did_key_verification_method, created=NOW)


def _b64(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("name", "mutate", "message"),
    [
        ("remote context", lambda d: d["@context"].append("https://evil.example/ctx.jsonld"), "not bundled"),
        (
            "inline context redefining a term",
            lambda d: d["@context"].append({"name": "https://evil.example/n"}),
            "protected",
        ),
        ("undefined term", lambda d: d["credentialSubject"].update(secretNote="x"), "secretNote"),
        ("wrong type for a term", lambda d: d.update(validFrom=12), "validFrom"),
    ],
)
def test_hostile_documents_are_refused_at_signing(name: str, mutate: object, message: str) -> None:
    from vcengine.cli.sign import sign_one

    doc = _ob()
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        sign_one(doc, KEY, "eddsa-rdfc-2022", None, NOW)


def test_poison_graph_is_refused_quickly() -> None:
    # A clique of blank nodes (as in W3C rdf-canon test 074c): every node links to every other.
    nodes = [{"@id": f"_:b{i}"} for i in range(24)]
    for i, node in enumerate(nodes):
        node["https://example.org/p"] = [{"@id": f"_:b{j}"} for j in range(24) if j != i]
    with pytest.raises(JsonLdError, match="poison graph"):
        from vcengine.core.canonicalize import rdfc_nquads

        rdfc_nquads({"@graph": nodes})


def test_verifier_reports_hostile_documents_as_failed_not_verified() -> None:
    signed = _signed(_ob())
    signed["credentialSubject"]["injected"] = "after signing"
    report = verify_credential(signed, resolver=OfflineResolver(), now=NOW)
    assert report.verdict == "failed" and "injected" in report.check("proof").reason  # type: ignore[union-attr]


def _jwt(header: dict, payload: dict, signature: bytes = b"sig") -> str:
    return f"{_b64(header)}.{_b64(payload)}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (_jwt({"alg": "none"}, {"vc": {}}), "none"),
        (_jwt({"alg": "HS256", "kid": "did:key:x"}, {"iss": "x"}), "HS256"),
        ("a.b", "neither JSON"),
        ("eyJ.!!!.x", "base64url"),
    ],
)
def test_hostile_jwts_exit_2_with_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], token: str, message: str
) -> None:
    path = tmp_path / "t.jwt"
    path.write_text(token)
    assert main(["verify", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_kid_naming_another_key_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vcengine.core.proofs import vc_jwt

    doc = _ob()
    other = KeyPair.from_seed(bytes(range(2, 34)))
    token = vc_jwt.sign(doc, other, kid=KEY.public.did_key_verification_method)
    path = tmp_path / "t.jwt"
    path.write_text(token)
    assert main(["verify", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "failed"


@pytest.mark.parametrize(
    ("key_doc", "message"),
    [
        ({"secretKeyMultibase": "zzzz"}, "34 (seed) or 66"),
        ({"secretKeyMultibase": "z0OIl"}, "alphabet"),
        ({"kty": "RSA", "d": "AA"}, "kty=OKP"),
        ({"publicKeyMultibase": "z6Mk"}, "none of secretKeyMultibase"),
    ],
)
def test_bad_key_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key_doc: dict, message: str
) -> None:
    key = tmp_path / "k.json"
    key.write_text(json.dumps(key_doc))
    assert main(["sign", str(VECTORS / "w3c-vc-di-eddsa" / "unsigned.json"), "--key", str(key)]) == 2
    err = capsys.readouterr().err
    assert message in err or "multicodec" in err
    assert "zzzz" not in err or message in err


def test_large_and_deep_documents_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 5000 + "1" + "}" * 5000)
    assert main(["verify", str(deep)]) == 2
    assert "deeper than" in capsys.readouterr().err
    big = tmp_path / "big.json"
    big.write_text('{"a":"' + "x" * (5 * 1024 * 1024) + '"}')
    assert main(["verify", str(big)]) == 2
    assert "limit" in capsys.readouterr().err


# --- strict JSON (issue 7, finding 3): every way JSON enters the CLI -----------------------------
#
# Each transformation keeps the credential otherwise intact, so only strictness can refuse it.


def _duplicate(text: str, start: int) -> str:
    """Repeat the first member name of the first object at or after ``start``."""
    match = re.compile(r'\{\s*("[^"]+"):').search(text, start)
    assert match is not None
    return text[: match.start()] + "{" + match[1] + ': "spoofed", ' + text[match.start() + 1 :]


def _surrogate_in_value(text: str) -> str:
    """Put a lone surrogate at the start of the first string value."""
    return re.sub(r'(":\s*")', lambda m: m[1] + "\\ud800", text, count=1)


STRICT_JSON_VIOLATIONS: dict[str, tuple[object, str]] = {
    "duplicate key": (lambda t: _duplicate(t, 0), "key '[^']+' more than once"),
    "duplicate nested key": (lambda t: _duplicate(t, 1), "key '[^']+' more than once"),
    "lone surrogate in a value": (_surrogate_in_value, "lone surrogate \\(U\\+D800\\)"),
    "lone surrogate in a key": (lambda t: '{"\\udfff": 1, ' + t[1:], "lone surrogate \\(U\\+DFFF\\)"),
    "NaN": (lambda t: '{"n": NaN, ' + t[1:], "NaN"),
    "Infinity": (lambda t: '{"n": Infinity, ' + t[1:], "Infinity"),
    "-Infinity": (lambda t: '{"n": -Infinity, ' + t[1:], "-Infinity"),
    "overflow": (lambda t: '{"n": 1e999, ' + t[1:], "1e999 is out of range"),
}
VIOLATIONS = sorted(STRICT_JSON_VIOLATIONS)


def strict_violation(text: str, name: str) -> tuple[str, str]:
    """``text`` (JSON of one object) broken in the named way, and the message that names it."""
    transform, message = STRICT_JSON_VIOLATIONS[name]
    broken = transform(text)  # type: ignore[operator]
    assert broken != text
    return broken, message


def _signed_text() -> str:
    return json.dumps(_signed(_ob()))


def test_the_unbroken_credential_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The control: the same credential, not broken, verifies with every entry point below."""
    path = tmp_path / "vc.json"
    path.write_text(_signed_text())
    assert main(["verify", str(path), "--now", NOW.isoformat()]) == 0


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_cli_verify_refuses_non_strict_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], violation: str
) -> None:
    text, message = strict_violation(_signed_text(), violation)
    path = tmp_path / "vc.json"
    path.write_text(text)
    assert main(["verify", str(path), "--now", NOW.isoformat()]) == 2
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_cli_verify_jsonl_reports_non_strict_lines_as_malformed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], violation: str
) -> None:
    good = _signed_text()
    bad, message = strict_violation(good, violation)
    stdin = io.TextIOWrapper(io.BytesIO(f"{good}\n{bad}\n".encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["verify", "--jsonl", "--now", NOW.isoformat()]) == 2
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["verdict"] == "verified"
    assert second["verdict"] == "malformed" and re.search(message, second["error"])


def _badge(kind: str, credential_text: str) -> bytes:
    from vcengine.core.bake import bake
    from vcengine.core.bake.badge_image import render_badge_png, render_badge_svg

    render = render_badge_png if kind == "png" else render_badge_svg
    return bake(render("Strict JSON", "Example Academy"), credential_text)


@pytest.mark.parametrize("kind", ["png", "svg"])
@pytest.mark.parametrize("violation", VIOLATIONS)
def test_baked_images_with_non_strict_json_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, violation: str
) -> None:
    text, message = strict_violation(_signed_text(), violation)
    image = tmp_path / f"badge.{kind}"
    image.write_bytes(_badge(kind, text))
    assert main(["verify", str(image), "--now", NOW.isoformat()]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert main(["unbake", str(image)]) == 2
    captured = capsys.readouterr()
    assert re.search(message, captured.err) and captured.out == ""


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_baked_strict_credential_still_unbakes_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    text = _signed_text()
    image = tmp_path / f"badge.{kind}"
    image.write_bytes(_badge(kind, text))
    assert main(["unbake", str(image)]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(text)
    assert main(["verify", str(image), "--now", NOW.isoformat()]) == 0


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_cli_sign_refuses_non_strict_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], violation: str
) -> None:
    key = tmp_path / "k.json"
    key.write_text(json.dumps({"secretKeyMultibase": KEY.export_secret_multibase()}))
    text, message = strict_violation(json.dumps(_ob()), violation)
    unsigned = tmp_path / "u.json"
    unsigned.write_text(text)
    assert main(["sign", str(unsigned), "--key", str(key)]) == 2
    captured = capsys.readouterr()
    assert re.search(message, captured.err) and captured.out == ""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode() + b"\n"), encoding="utf-8"))
    main(["sign", "--jsonl", "--key", str(key)])
    assert re.search(message, json.loads(capsys.readouterr().out)["error"])


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_key_files_with_non_strict_json_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], violation: str
) -> None:
    key_doc = json.dumps({"secretKeyMultibase": KEY.export_secret_multibase(), "note": {"by": "test"}})
    text, message = strict_violation(key_doc, violation)
    key = tmp_path / "k.json"
    key.write_text(text)
    assert main(["sign", str(VECTORS / "w3c-vc-di-eddsa" / "unsigned.json"), "--key", str(key)]) == 2
    assert re.search(message, capsys.readouterr().err)
    new_list = ["status", "new", str(tmp_path / "l.json"), "--key", str(key), "--url", "https://x.example/l"]
    assert main(new_list) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "l.json").exists()


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_status_list_files_with_non_strict_json_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], violation: str
) -> None:
    key = tmp_path / "k.json"
    key.write_text(json.dumps({"secretKeyMultibase": KEY.export_secret_multibase()}))
    state = tmp_path / "list.json"
    url = "https://x.example/status/1"
    assert main(["status", "new", str(state), "--key", str(key), "--url", url]) == 0
    list_credential = capsys.readouterr().out
    text, message = strict_violation(state.read_text(), violation)
    state.write_text(text)
    assert main(["status", "set", str(state), "7", "--key", str(key)]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert state.read_text() == text  # nothing written
    assert main(["status", "show", str(state)]) == 2
    capsys.readouterr()
    # the same list credential, broken, given to `verify --status-list` and `--resolve`
    doc = _ob()
    doc["credentialStatus"] = {
        "id": f"{url}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": url,
    }
    vc = tmp_path / "vc.json"
    vc.write_text(json.dumps(_signed(doc)))
    broken_list = tmp_path / "broken-list.json"
    broken_list.write_text(strict_violation(list_credential, violation)[0])
    assert main(["verify", str(vc), "--status-list", f"{url}={broken_list}"]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert main(["verify", str(vc), "--resolve", f"{url}={broken_list}"]) == 2
    assert re.search(message, capsys.readouterr().err)


def jwt_with_payload(transform: object) -> str:
    """A VC-JWT signed by KEY whose payload JSON is rewritten by ``transform`` (then re-signed)."""
    from vcengine.core.proofs import vc_jwt

    header, payload, _ = vc_jwt.sign(_ob(), KEY, kid=KEY.public.did_key_verification_method).split(".")
    text = transform(base64.urlsafe_b64decode(payload + "==").decode())  # type: ignore[operator]
    signing_input = f"{header}.{base64.urlsafe_b64encode(text.encode()).rstrip(b'=').decode()}"
    signature = KEY.sign(signing_input.encode())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


@pytest.mark.parametrize("violation", VIOLATIONS)
def test_a_vc_jwt_with_a_non_strict_payload_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], violation: str
) -> None:
    path = tmp_path / "t.jwt"
    path.write_text(jwt_with_payload(lambda t: t))
    assert main(["verify", str(path), "--now", NOW.isoformat()]) == 0  # the control
    message = ""

    def transform(text: str) -> str:
        nonlocal message
        broken, message = strict_violation(text, violation)
        return broken

    path.write_text(jwt_with_payload(transform))
    assert main(["verify", str(path), "--now", NOW.isoformat()]) == 2
    assert re.search(message, capsys.readouterr().err)
