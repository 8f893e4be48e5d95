"""Read the few fields of an X.509 certificate (DER) that an operator acts on.

The ``ssl`` module decodes a peer certificate only when it was verified; an
untrusted or expired one (the case that needs explaining) comes back as bytes.
This reads those bytes without another dependency: subject, issuer, validity
and the subjectAltName DNS names and IP addresses. Nothing is verified here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime

_SEQUENCE, _SET, _OID, _OCTETS = 0x30, 0x31, 0x06, 0x04
_UTC_TIME, _GENERALIZED_TIME = 0x17, 0x18
_VERSION, _EXTENSIONS = 0xA0, 0xA3
_SAN_DNS, _SAN_IP = 0x82, 0x87
_SAN = bytes.fromhex("551d11")  # 2.5.29.17 subjectAltName
_ATTRIBUTES = {bytes.fromhex("550403"): "CN", bytes.fromhex("55040a"): "O", bytes.fromhex("55040b"): "OU",
               bytes.fromhex("550406"): "C"}


class BadCertificate(ValueError):
    """The bytes are not a DER certificate this reader understands."""


@dataclass
class CertificateFields:
    subject: dict[str, str]
    issuer: dict[str, str]
    not_before: datetime
    not_after: datetime
    dns_names: list[str] = field(default_factory=list)
    ip_addresses: list[str] = field(default_factory=list)

    @property
    def self_issued(self) -> bool:
        return self.subject == self.issuer

    @staticmethod
    def name_text(name: dict[str, str]) -> str:
        """``CN=..., O=...`` (the attributes an operator recognises), or "(empty)"."""
        return ", ".join(f"{key}={value}" for key, value in name.items()) or "(empty)"


def _element(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the element at ``pos``."""
    if pos + 2 > len(data):
        raise BadCertificate("truncated element")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or pos + count > len(data):
            raise BadCertificate("bad length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise BadCertificate("element runs past the end")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    while start < end:
        element = _element(data, start)
        out.append(element)
        start = element[2]
    return out


def _string(tag: int, raw: bytes) -> str:
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    return raw.decode("utf-8" if tag == 0x0C else "latin-1", "replace")


def _name(data: bytes, start: int, end: int) -> dict[str, str]:
    name: dict[str, str] = {}
    for tag, s, e in _children(data, start, end):
        if tag != _SET:
            raise BadCertificate("a name part is not a SET")
        for _tag, ps, pe in _children(data, s, e):
            (oid_tag, os_, oe), (value_tag, vs, ve) = _children(data, ps, pe)[:2]
            key = _ATTRIBUTES.get(data[os_:oe]) if oid_tag == _OID else None
            if key is not None and key not in name:
                name[key] = _string(value_tag, data[vs:ve])
    return name


def _time(tag: int, raw: bytes) -> datetime:
    text = raw.decode("ascii", "replace").rstrip("Z")
    try:
        if tag == _UTC_TIME:
            moment = datetime.strptime(text, "%y%m%d%H%M%S")
            if moment.year >= 2050:  # RFC 5280: UTCTime years 50-99 are 1950-1999
                moment = moment.replace(year=moment.year - 100)
        elif tag == _GENERALIZED_TIME:
            moment = datetime.strptime(text, "%Y%m%d%H%M%S")
        else:
            raise BadCertificate("validity is not a time")
    except ValueError:
        raise BadCertificate(f"unreadable time {text!r}") from None
    return moment.replace(tzinfo=UTC)


def _alt_names(data: bytes, start: int, end: int, fields: CertificateFields) -> None:
    for _tag, s, e in _children(data, start, end):
        parts = _children(data, s, e)
        oid_tag, os_, oe = parts[0]
        if oid_tag != _OID or data[os_:oe] != _SAN:
            continue
        value_tag, vs, _ve = parts[-1]
        if value_tag != _OCTETS:
            raise BadCertificate("subjectAltName is not an OCTET STRING")
        _seq, ss, se = _element(data, vs)
        for tag, ns, ne in _children(data, ss, se):
            if tag == _SAN_DNS:
                fields.dns_names.append(data[ns:ne].decode("ascii", "replace"))
            elif tag == _SAN_IP and ne - ns in (4, 16):
                fields.ip_addresses.append(str(ipaddress.ip_address(data[ns:ne])))


def parse_certificate(der: bytes) -> CertificateFields:
    """The fields of one DER certificate; BadCertificate when it cannot be read."""
    try:
        tag, start, _end = _element(der, 0)
        if tag != _SEQUENCE:
            raise BadCertificate("not a certificate")
        tbs_tag, ts, te = _element(der, start)
        if tbs_tag != _SEQUENCE:
            raise BadCertificate("no TBSCertificate")
        parts = _children(der, ts, te)
        if parts and parts[0][0] == _VERSION:
            parts = parts[1:]
        _serial, _algorithm, issuer, validity, subject = parts[:5]
        (bt, bs, be), (at, as_, ae) = _children(der, validity[1], validity[2])[:2]
        fields = CertificateFields(_name(der, subject[1], subject[2]), _name(der, issuer[1], issuer[2]),
                                   _time(bt, der[bs:be]), _time(at, der[as_:ae]))
        for ext_tag, es, _ee in parts[5:]:
            if ext_tag == _EXTENSIONS:
                _seq, ss, se = _element(der, es)
                _alt_names(der, ss, se, fields)
        return fields
    except (IndexError, ValueError) as exc:
        if isinstance(exc, BadCertificate):
            raise
        raise BadCertificate(f"unreadable certificate ({exc})") from None
