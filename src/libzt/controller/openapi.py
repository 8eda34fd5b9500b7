# SPDX-License-Identifier: Apache-2.0
"""The OpenAPI 3 description of the controller's REST API.

Built here, stored next to this file as ``openapi.json`` (served at ``/controller/openapi.json``; a
test fails if the two differ). Regenerate with
``python -c 'import libzt.controller.openapi as o; o.STORED.write_text(o.render())'``.

Request bodies are described by what is *checked*: types, ranges, lengths, required keys. Patterns on
addresses are necessary conditions, not sufficient ones (``10.0.0.300/24`` matches the CIDR pattern and
is still refused with 400). Unknown keys are allowed and ignored, as by zerotier-one, so a client can
POST back an object it read.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from libzt.controller import models, rules

STORED = Path(__file__).resolve().parent / "openapi.json"

UINT32 = models.UINT32
INT64 = models.INT64_MAX
HEX10 = "^[0-9a-fA-F]{10}$"
HEX16 = "^[0-9a-fA-F]{16}$"
IP = "^[0-9a-fA-F:.]+$"
CIDR = "^[0-9a-fA-F:.]+/[0-9]{1,3}$"


def _int(lo: int = 0, hi: int = UINT32, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": lo, "maximum": hi, **extra}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


TRACE_TARGET = {"type": "string", "nullable": True, "pattern": "^([0-9a-fA-F]{10})?$",
                "description": "10-hex-digit address, or null/\"\" for none"}

RULE = {
    "type": "object",
    "required": ["type"],
    "description": "A flow rule as zerotier-one's JSON; the fields besides type/not/or depend on the type "
                   "(etherType, ip, mac, zt, start/end, id/value, address/flags/length, ...).",
    "properties": {
        "type": {"type": "string", "enum": sorted(rules.ACCEPTED_NAMES)},
        "not": {"type": "boolean"},
        "or": {"type": "boolean"},
    },
}

NETWORK_UPDATE = {
    "type": "object",
    "description": "Writable network fields; all optional, unknown and read-only ones are ignored.",
    "properties": {
        "name": {"type": "string", "maxLength": models.MAX_NAME_BYTES},
        "private": {"type": "boolean"},
        "enableBroadcast": {"type": "boolean"},
        "multicastLimit": _int(),
        "mtu": _int(description=f"clamped to [{models.MIN_MTU}, {models.MAX_MTU}]"),
        "remoteTraceTarget": TRACE_TARGET,
        "remoteTraceLevel": _int(0, 255),
        "v4AssignMode": {"oneOf": [
            {"type": "string", "description": "legacy: \"zt\""},
            {"type": "object", "properties": {"zt": {"type": "boolean"}}},
        ]},
        "v6AssignMode": {"oneOf": [
            {"type": "string", "description": "legacy: comma-separated modes, e.g. \"rfc4193,zt\""},
            {"type": "object", "properties": {k: {"type": "boolean"} for k in ("6plane", "rfc4193", "zt")}},
        ]},
        "routes": {"type": "array", "maxItems": models.MAX_ROUTES, "items": {
            "type": "object", "required": ["target"], "properties": {
                "target": {"type": "string", "pattern": CIDR},
                "via": {"type": "string", "nullable": True, "pattern": "^[0-9a-fA-F:.]*$"},
            }}},
        "ipAssignmentPools": {"type": "array", "maxItems": models.MAX_POOLS, "items": {
            "type": "object", "required": ["ipRangeStart", "ipRangeEnd"], "properties": {
                "ipRangeStart": {"type": "string", "pattern": IP},
                "ipRangeEnd": {"type": "string", "pattern": IP},
            }}},
        "rules": {"type": "array", "maxItems": rules.MAX_NETWORK_RULES, "items": _ref("Rule")},
        "rulesSource": {"type": "string"},
        "authTokens": {"nullable": True, "oneOf": [
            {"type": "object", "propertyNames": {"minLength": 1, "maxLength": 255},
             "additionalProperties": _int(0, INT64, description="expiry in ms since the epoch, 0: never")},
            {"type": "array", "items": {"type": "string", "nullable": True, "enum": [None]},
             "description": "[null]: no tokens (what zerotier-one stores)"},
        ]},
        "capabilities": {"type": "array", "maxItems": models.MAX_CAPABILITIES, "items": {
            "type": "object", "properties": {
                "id": _int(),
                "default": {"type": "boolean"},
                "rules": {"type": "array", "maxItems": rules.MAX_CAPABILITY_RULES, "items": _ref("Rule")},
            }}},
        "tags": {"type": "array", "maxItems": models.MAX_TAGS, "items": {
            "type": "object", "properties": {"id": _int(), "default": _nullable(_int())}}},
        "dns": {"nullable": True, "oneOf": [
            {"type": "array", "maxItems": 0, "description": "[]: no DNS"},
            {"type": "object", "properties": {
                "domain": {"type": "string", "maxLength": models.MAX_DOMAIN_BYTES},
                "servers": {"type": "array", "maxItems": models.MAX_DNS_SERVERS,
                            "items": {"type": "string", "pattern": IP}},
            }},
        ]},
        "certificateTimeoutWindowSize": _int(0, INT64, description="ms; clamped to [5 min, 2 h] when used"),
    },
}

MEMBER_UPDATE = {
    "type": "object",
    "description": "Writable member fields; all optional, unknown and read-only ones are ignored.",
    "properties": {
        "authorized": {"type": "boolean"},
        "activeBridge": {"type": "boolean"},
        "noAutoAssignIps": {"type": "boolean"},
        "authenticationExpiryTime": _int(0, INT64),
        "name": {"type": "string", "maxLength": 1024},
        "remoteTraceTarget": TRACE_TARGET,
        "remoteTraceLevel": _int(0, 255),
        "ipAssignments": {"type": "array", "maxItems": models.MAX_IP_ASSIGNMENTS,
                          "items": {"type": "string", "pattern": IP}},
        "tags": {"type": "array", "maxItems": models.MAX_TAGS, "items": {
            "type": "array", "minItems": 2, "maxItems": 2, "items": _int()}},
        "capabilities": {"type": "array", "maxItems": models.MAX_CAPABILITIES, "items": _int()},
    },
}

NETWORK = {
    "type": "object",
    "required": ["id", "nwid", "objtype", "name", "private", "revision", "creationTime", "mtu", "multicastLimit",
                 "enableBroadcast", "v4AssignMode", "v6AssignMode", "routes", "ipAssignmentPools", "rules",
                 "capabilities", "tags", "authTokens", "dns", "rulesSource", "remoteTraceTarget", "remoteTraceLevel"],
    "properties": {
        "id": {"type": "string", "pattern": HEX16},
        "nwid": {"type": "string", "pattern": HEX16},
        "objtype": {"type": "string", "enum": ["network"]},
        "name": {"type": "string"},
        "private": {"type": "boolean"},
        "revision": {"type": "integer", "minimum": 1},
        "creationTime": {"type": "integer"},
        "mtu": _int(models.MIN_MTU, models.MAX_MTU),
        "multicastLimit": _int(),
        "enableBroadcast": {"type": "boolean"},
        "v4AssignMode": {"type": "object"},
        "v6AssignMode": {"type": "object"},
        "routes": {"type": "array"},
        "ipAssignmentPools": {"type": "array"},
        "rules": {"type": "array", "items": _ref("Rule")},
        "capabilities": {"type": "array"},
        "tags": {"type": "array"},
        "authTokens": {"oneOf": [{"type": "object"}, {"type": "array"}]},
        "dns": {"oneOf": [{"type": "object"}, {"type": "array"}]},
        "rulesSource": {"type": "string"},
        "remoteTraceTarget": {"type": "string", "nullable": True},
        "remoteTraceLevel": {"type": "integer"},
    },
}

MEMBER = {
    "type": "object",
    "required": ["id", "address", "nwid", "objtype", "authorized", "activeBridge", "noAutoAssignIps",
                 "ipAssignments", "tags", "capabilities", "revision", "creationTime", "vMajor", "vMinor", "vRev",
                 "vProto", "lastAuthorizedTime", "lastDeauthorizedTime"],
    "properties": {
        "id": {"type": "string", "pattern": HEX10},
        "address": {"type": "string", "pattern": HEX10},
        "nwid": {"type": "string", "pattern": HEX16},
        "objtype": {"type": "string", "enum": ["member"]},
        "authorized": {"type": "boolean"},
        "activeBridge": {"type": "boolean"},
        "noAutoAssignIps": {"type": "boolean"},
        "ipAssignments": {"type": "array", "items": {"type": "string"}},
        "tags": {"type": "array"},
        "capabilities": {"type": "array", "items": {"type": "integer"}},
        "identity": {"type": "string"},
        "revision": {"type": "integer", "minimum": 1},
        "creationTime": {"type": "integer"},
        "vMajor": {"type": "integer"},
        "vMinor": {"type": "integer"},
        "vRev": {"type": "integer"},
        "vProto": {"type": "integer"},
        "lastAuthorizedTime": {"type": "integer"},
        "lastDeauthorizedTime": {"type": "integer"},
        "lastAuthorizedCredentialType": {"type": "string", "nullable": True},
    },
}

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "field": {"type": "string"}}}


def _resp(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {
        400: "the body is not JSON, a field has the wrong type or value, or an ID in the path is reserved or "
             "not this controller's (the message says which)",
        401: "missing or wrong token (body {})",
        404: "no such network or member (or a path parameter that is not hex of the right length)",
        413: "body larger than 1 MiB",
        503: "the database is unavailable",
    }
    out = {}
    for code in codes:
        schema = {"type": "object", "maxProperties": 0} if code == 401 else _ref("Error")
        out[str(code)] = _resp(texts[code], schema)
    return out


NWID_PARAM = {"name": "nwid", "in": "path", "required": True, "schema": {"type": "string", "pattern": HEX16}}
ADDR_PARAM = {"name": "address", "in": "path", "required": True, "schema": {"type": "string", "pattern": HEX10}}
PREFIX_PARAM = {"name": "controller", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": HEX10},
                "description": "this controller's address (the legacy create form ends in six underscores)"}


def _body(name: str) -> dict[str, Any]:
    return {"required": False, "content": {"application/json": {"schema": _ref(name)}}}


def _write_op(summary: str, body: str, ok: dict[str, Any], *errors: int) -> dict[str, Any]:
    return {"summary": summary, "requestBody": _body(body), "responses": {"200": ok, **_errors(400, 401, *errors)}}


def build() -> dict[str, Any]:
    network_ok = _resp("the network", _ref("Network"))
    member_ok = _resp("the member", _ref("Member"))
    create = _write_op("create a network with a random ID under this controller", "NetworkUpdate", network_ok, 413,
                       503)
    network_item = {
        "parameters": [NWID_PARAM],
        "get": {"summary": "a network", "responses": {"200": network_ok, **_errors(401, 404, 503)}},
        "post": _write_op("create or update a network; its ID must begin with this controller's address",
                         "NetworkUpdate", network_ok, 404, 413, 503),
        "put": _write_op("same as POST", "NetworkUpdate", network_ok, 404, 413, 503),
        "delete": {"summary": "delete a network and its members; returns what was deleted",
                   "responses": {"200": network_ok, **_errors(401, 404, 503)}},
    }
    member_item = {
        "parameters": [NWID_PARAM, ADDR_PARAM],
        "get": {"summary": "a member", "responses": {"200": member_ok, **_errors(401, 404, 503)}},
        "post": _write_op("create or update a member; an address beginning with ff is reserved",
                         "MemberUpdate", member_ok, 404, 413, 503),
        "put": _write_op("same as POST", "MemberUpdate", member_ok, 404, 413, 503),
        "delete": {"summary": "delete a member; returns what was deleted",
                   "responses": {"200": member_ok, **_errors(401, 404, 503)}},
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "libzt network controller",
            "version": "4",
            "description": "zerotier-one's /controller API (apiVersion 4). Authenticate with the token in "
                           "DIR/authtoken.secret: header X-ZT1-Auth, Authorization: Bearer, or ?auth=.",
        },
        "security": [{"ztAuth": []}, {"bearer": []}, {"queryAuth": []}],
        "paths": {
            "/controller": {"get": {"summary": "controller status", "responses": {
                "200": _resp("status", _ref("Status")), **_errors(401), "503": _resp("database not ready",
                                                                                    _ref("Status"))}}},
            "/controller/network": {
                "get": {"summary": "IDs of every network", "responses": {
                    "200": _resp("IDs", {"type": "array", "items": {"type": "string", "pattern": HEX16}}),
                    **_errors(401, 503)}},
                "post": create,
                "put": create,
            },
            "/controller/network/{controller}______": {
                "parameters": [PREFIX_PARAM],
                "post": _write_op("legacy form of network creation", "NetworkUpdate", network_ok, 404, 413, 503),
            },
            "/controller/network/{nwid}": network_item,
            "/controller/network/{nwid}/member": {
                "parameters": [NWID_PARAM],
                "get": {"summary": "member addresses and their revisions", "responses": {
                    "200": _resp("address -> revision", {"type": "object", "additionalProperties": {
                        "type": "integer"}}),
                    **_errors(401, 404, 503)}},
            },
            "/controller/network/{nwid}/member/{address}": member_item,
            "/unstable/controller/network": {"get": {"summary": "every network with member counts", "responses": {
                "200": _resp("networks", {"type": "object", "required": ["data", "meta"], "properties": {
                    "data": {"type": "array", "items": _ref("Network")},
                    "meta": {"type": "object", "required": ["networkCount"],
                             "properties": {"networkCount": {"type": "integer"}}}}}),
                **_errors(401, 503)}}},
            "/unstable/controller/network/{nwid}/member": {
                "parameters": [NWID_PARAM],
                "get": {"summary": "every member of a network", "responses": {
                    "200": _resp("members", {"type": "object", "required": ["data", "meta"], "properties": {
                        "data": {"type": "array", "items": _ref("Member")},
                        "meta": {"type": "object", "required": ["totalCount", "authorizedCount"], "properties": {
                            "totalCount": {"type": "integer"}, "authorizedCount": {"type": "integer"}}}}}),
                    **_errors(401, 404, 503)}},
            },
        },
        "components": {
            "securitySchemes": {
                "ztAuth": {"type": "apiKey", "in": "header", "name": "X-ZT1-Auth"},
                "bearer": {"type": "http", "scheme": "bearer"},
                "queryAuth": {"type": "apiKey", "in": "query", "name": "auth"},
            },
            "schemas": {
                "Status": {"type": "object", "required": ["controller", "apiVersion", "clock", "databaseReady"],
                           "properties": {"controller": {"type": "boolean"}, "apiVersion": {"type": "integer"},
                                          "clock": {"type": "integer"}, "databaseReady": {"type": "boolean"}}},
                "Error": ERROR,
                "Rule": RULE,
                "NetworkUpdate": NETWORK_UPDATE,
                "MemberUpdate": MEMBER_UPDATE,
                "Network": NETWORK,
                "Member": MEMBER,
            },
        },
    }


def render() -> str:
    return json.dumps(build(), indent=1, sort_keys=True) + "\n"
