"""``kubectl apply`` as pure functions: the object as sent, and the patch that makes the live one so.

Apply is create-or-patch: the backend reads each object, creates it when missing,
otherwise sends a JSON merge patch only when the desired fields differ from the live
ones. Fields wbtui set before and no longer renders are removed with the help of a
last-applied annotation, as ``kubectl apply`` does (never on the Secret, whose
values must not be copied into an annotation). Server defaults and canonical
quantities (``4000m`` read back as ``4``) compare equal.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from .status import parse_quantity

LAST_APPLIED = "wbtui/last-applied-configuration"


def _same(desired: Any, live: Any, quantities: bool = False) -> bool:
    """Whether the live value holds everything desired (extra server defaults allowed)."""
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(
            _same(v, live.get(k), quantities or k == "resources") for k, v in desired.items())
    if isinstance(desired, list):
        return isinstance(live, list) and len(live) == len(desired) and all(
            _same(d, x, quantities) for d, x in zip(desired, live, strict=True))
    if quantities and isinstance(desired, str | int) and isinstance(live, str | int) and desired != live:
        try:
            return parse_quantity(desired) == parse_quantity(live)
        except ValueError:
            return False
    return bool(desired == live)


def _removed(before: Any, after: Any) -> dict[str, Any]:
    """A merge patch deleting what ``before`` had and ``after`` no longer has (dicts only)."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return {}
    out: dict[str, Any] = {}
    for key, old in before.items():
        if key not in after:
            out[key] = None
        else:
            sub = _removed(old, after[key])
            if sub:
                out[key] = sub
    return out


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _secret_data(obj: dict[str, Any]) -> dict[str, str]:
    """A Secret's values base64-encoded, as the API server stores them."""
    data = dict(obj.get("data") or {})
    for key, value in (obj.get("stringData") or {}).items():
        data[key] = base64.b64encode(value.encode()).decode()
    return data


def desired_state(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The object as sent: in our namespace; Secret values as ``data``; others with a last-applied note."""
    obj = copy.deepcopy(obj)
    obj.setdefault("metadata", {})["namespace"] = namespace
    if obj["kind"] == "Secret":
        obj["data"] = _secret_data(obj)
        obj.pop("stringData", None)
        return obj
    note = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    obj["metadata"].setdefault("annotations", {})[LAST_APPLIED] = note
    return obj


def apply_patch(desired: dict[str, Any], live: dict[str, Any]) -> dict[str, Any] | None:
    """The merge patch that makes ``live`` as desired, or None when nothing would change."""
    if desired["kind"] == "Secret":
        gone = {k: None for k in (live.get("data") or {}) if k not in desired.get("data", {})}
        if _same(desired, live) and not gone:
            return None
        return _merge(desired, {"data": gone}) if gone else desired
    if _same(desired, live):
        return None
    try:
        before = json.loads((live.get("metadata", {}).get("annotations") or {}).get(LAST_APPLIED, "{}"))
    except ValueError:
        before = {}
    after = json.loads(desired["metadata"]["annotations"][LAST_APPLIED])
    return _merge(_removed(before, after), desired)
