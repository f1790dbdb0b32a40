"""Baking credentials into SVG images and reading them back.

OB 3.0 "Baked Badge" (https://www.imsglobal.org/spec/ob/v3p0/#svg): the ``<svg>`` element declares
``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` and its first child is one
``<openbadges:credential>``: a VC-JWT goes in its ``verify`` attribute, a credential with an
embedded proof goes in its body as CDATA. OB 2.0 (legacy) used ``<openbadges:assertion>`` in the
namespace ``http://openbadges.org``, with the JSON assertion in the body or a JWS / hosted-assertion
URL in ``verify``.

Untrusted SVG is parsed with a hardened lxml parser: no entity substitution, no DTD loading, no
network, no huge trees, after a size check. A plain ``<!DOCTYPE svg PUBLIC …>`` (as in the 1EdTech
samples) is accepted; a DOCTYPE with an internal subset, entity declarations and entity
references are refused.

Decisions: elements are found anywhere in the document (the first-child rule is reported as a
deviation when broken, not enforced); more than one ``openbadges:credential`` (or, for OB 2.0,
``openbadges:assertion``) is an error; text read from a body loses the whitespace around it; a
non-empty body wins over ``verify`` (OB 2.0 hosted assertions carry both). Baking serializes the
document again through lxml as UTF-8, so bytes outside the baked element may be re-encoded.
"""

from __future__ import annotations

from lxml import etree

from vcengine.core.bake.baked import Baked, check_credential_text, classify
from vcengine.errors import BakeError

__all__ = ["MAX_SVG_BYTES", "MAX_TEXT_BYTES", "OB2_NAMESPACE", "OB3_NAMESPACE", "bake_svg", "unbake_svg"]

OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE = "http://openbadges.org"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_SVG_BYTES = 16 * 1024 * 1024
MAX_TEXT_BYTES = 1024 * 1024

_PREFIX = "openbadges"
_OB3_TAG = f"{{{OB3_NAMESPACE}}}credential"
_OB2_TAG = f"{{{OB2_NAMESPACE}}}assertion"
_XML_WHITESPACE = " \t\r\n"


# --- parsing untrusted SVG ---------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
        remove_blank_text=False,
    )


def _has_internal_subset(svg: bytes, encoding: str | None) -> bool:
    """True if the DOCTYPE has an internal subset ``[ … ]``, skipping quoted public/system ids."""
    try:
        text = svg.decode(encoding or "utf-8", "replace")
    except LookupError:
        text = svg.decode("latin-1")
    start = text.find("<!DOCTYPE")
    if start < 0:
        return False
    quote = ""
    for char in text[start + len("<!DOCTYPE") :]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            return True
        elif char == ">":
            return False
    return False


def parse_svg(svg: bytes, *, max_bytes: int = MAX_SVG_BYTES) -> etree._ElementTree:
    """Parse untrusted SVG bytes safely; the root must be an ``<svg>`` element."""
    if len(svg) > max_bytes:
        raise BakeError(f"SVG is {len(svg)} bytes; the limit is {max_bytes}")
    try:
        root = etree.fromstring(svg, _parser())
    except etree.XMLSyntaxError as exc:
        raise BakeError(f"SVG is not well-formed XML: {exc}") from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if (dtd is not None and dtd.entities()) or _has_internal_subset(svg, tree.docinfo.encoding):
        raise BakeError("SVG DOCTYPE has an internal subset (entity or other declarations); refused")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise BakeError("SVG contains entity references; refused")
    if not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        raise BakeError("not an SVG: the root element is not <svg>")
    if etree.QName(root).namespace not in (SVG_NAMESPACE, None):
        raise BakeError(f"not an SVG: the root element is in namespace {etree.QName(root).namespace}")
    return tree


# --- unbake ------------------------------------------------------------------------------------


def _read(element: etree._Element, *, ob3: bool) -> Baked:
    name = "openbadges:credential" if ob3 else "openbadges:assertion"
    if len(element):
        raise BakeError(f"SVG <{name}> has child elements; expected text or a verify attribute")
    body = (element.text or "").strip(_XML_WHITESPACE)
    verify = (element.get("verify") or "").strip(_XML_WHITESPACE)
    deviations: list[str] = []
    parent = element.getparent()
    if parent is not None and next(parent.iterchildren(etree.Element)) is not element:
        deviations.append(f"<{name}> is not the first child of <svg>")
    if ob3 and body and verify:
        deviations.append("<openbadges:credential> has both a verify attribute and a body; the body is used")
    text = body or verify
    if not text:
        raise BakeError(f"SVG <{name}> is empty: no body and no verify attribute")
    return Baked(classify(text, ob3=ob3), text, "image/svg+xml", tuple(deviations))


def unbake_svg(svg: bytes, *, max_bytes: int = MAX_SVG_BYTES) -> Baked:
    """Read the credential baked into an SVG: OB 3.0 ``openbadges:credential``, else OB 2.0 assertion."""
    root = parse_svg(svg, max_bytes=max_bytes).getroot()
    for tag, ob3 in ((_OB3_TAG, True), (_OB2_TAG, False)):
        found = list(root.iter(tag))
        if len(found) > 1:
            raise BakeError(f"SVG has {len(found)} <{etree.QName(tag).localname}> elements; expected one")
        if found:
            return _read(found[0], ob3=ob3)
    raise BakeError("SVG carries no baked credential (no openbadges:credential or openbadges:assertion)")


# --- bake --------------------------------------------------------------------------------------


def _remove(element: etree._Element) -> None:
    """Remove ``element``; its tail text survives unless it is only whitespace."""
    parent = element.getparent()
    assert parent is not None
    tail = element.tail
    if tail and tail.strip(_XML_WHITESPACE):
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _credential_element(root: etree._Element, credential: str, *, jwt: bool) -> etree._Element:
    element = etree.Element(_OB3_TAG, nsmap={_PREFIX: OB3_NAMESPACE})
    try:
        if jwt:
            element.set("verify", credential)
            element.text = ""  # <openbadges:credential verify="…"></openbadges:credential>, as in the spec
        else:
            element.text = etree.CDATA(credential)
    except ValueError as exc:
        raise BakeError(f"credential text cannot be written into XML: {exc}") from None
    indent = root.text if root.text and not root.text.strip(_XML_WHITESPACE) else None
    element.tail = indent
    return element


def bake_svg(
    svg: bytes,
    credential: str,
    *,
    max_bytes: int = MAX_SVG_BYTES,
    max_text_bytes: int = MAX_TEXT_BYTES,
) -> bytes:
    """Bake ``credential`` (credential JSON or a compact JWS) into an SVG as OB 3.0 prescribes.

    Any earlier ``openbadges:credential`` is replaced; the new one becomes the first child of ``<svg>``.
    """
    baked_format = check_credential_text(credential, max_bytes=max_text_bytes)
    tree = parse_svg(svg, max_bytes=max_bytes)
    root = tree.getroot()
    for old in list(root.iter(_OB3_TAG)):
        _remove(old)
    root.insert(0, _credential_element(root, credential, jwt=baked_format == "ob3-jwt"))
    if root.nsmap.get(_PREFIX, OB3_NAMESPACE) == OB3_NAMESPACE:
        prefixes = {prefix for node in root.iter(etree.Element) for prefix in node.nsmap if prefix}
        etree.cleanup_namespaces(root, top_nsmap={_PREFIX: OB3_NAMESPACE}, keep_ns_prefixes=sorted(prefixes))
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
