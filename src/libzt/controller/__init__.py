# SPDX-License-Identifier: Apache-2.0
"""libzt's network controller: zerotier-one's embedded controller, in Python on top of our core.

Overview
    A controller is a node whose address is the top 40 bits of its networks' IDs. The core hands it
    each NETWORK_CONFIG_REQUEST; :class:`Controller` decides (who is authorized, which IPs, routes,
    rules, tags, capabilities) and the core signs and sends the config and certificate of membership.
    Networks and members are zerotier-one's JSON objects, kept in SQLite (default) or PostgreSQL, and
    managed through zerotier-one's ``/controller`` REST API.

Modules
    ``models`` records, defaults and POST updates; ``rules`` rule JSON <-> wire bytes; ``assign`` the
    decision for one request (authorization, IP assignment); ``netconf`` request/config data;
    ``db`` storage; ``service`` the :class:`Controller`; ``api`` the REST API; ``openapi`` its
    description; the cffi binding to the core is ``libzt._bindings.controller``.

Usage
    ``libzt controller --dir DIR [--db URL] [--http 127.0.0.1:9993]``, then
    ``libzt network create --dir DIR --name lab --pool 10.1.0.10-10.1.0.250 --route 10.1.0.0/24``.
"""
from libzt.controller._validate import InvalidField
from libzt.controller.api import APIServer, ControllerAPI, load_or_create_token
from libzt.controller.assign import Grant, Refusal, decide
from libzt.controller.db import Store, StoreError, open_store
from libzt.controller.netconf import ConfigRequest, NetconfSpec, RefusalCode
from libzt.controller.service import Controller, CoreLink, NotFound


def __getattr__(name: str) -> object:
    if name == "NetconfError":  # the refusal codes' former name (deprecated, with a warning)
        from libzt.controller import netconf

        return netconf.NetconfError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "APIServer",
    "ConfigRequest",
    "Controller",
    "ControllerAPI",
    "CoreLink",
    "Grant",
    "InvalidField",
    "NetconfSpec",
    "NotFound",
    "Refusal",
    "RefusalCode",
    "Store",
    "StoreError",
    "decide",
    "load_or_create_token",
    "open_store",
]
