# SPDX-License-Identifier: Apache-2.0
"""Worlds: the signed root lists ZeroTier nodes trust (the planet) or orbit (moons).

A world names its roots (identities and the UDP endpoints they answer on) and the public key that must
sign its next revision, so each revision is authorised by the one before. The binary form is
byte-exact with ZeroTier One's ``planet`` file and with what ``zts_init_set_roots`` takes.
"""
from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from libzt._bindings import world as ll
from libzt.errors import WorldError
from libzt.identity import PUBLIC_KEY_SIZE, SIGNATURE_SIZE, BytesLike, Identity, KeyPair, PathLike

MAX_ROOTS = 4
MAX_ENDPOINTS_PER_ROOT = 32
ZEROTIER_EARTH_ID = 149604618


class WorldType(enum.IntEnum):
    PLANET = 1
    MOON = 127


@dataclass(frozen=True)
class Root:
    """A root server: its public identity and the ``IP/PORT`` endpoints it may be reached at."""

    identity: Identity
    endpoints: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> Root:
        """``IDENTITY@IP/PORT[,IP/PORT...]`` where IDENTITY is a public identity string or the path of
        an identity file (``identity.public`` or ``identity.secret``)."""
        ident_text, sep, endpoint_text = spec.rpartition("@")
        if not sep or not ident_text or not endpoint_text:
            raise WorldError(f"root {spec!r}: expected IDENTITY@IP/PORT[,IP/PORT...]")
        identity = Identity.from_string_or_file(ident_text)
        return cls(identity.public_identity(), tuple(e.strip() for e in endpoint_text.split(",") if e.strip()))


@dataclass(frozen=True)
class World:
    """One revision of a world. Build a new one with :meth:`create`; read one with :meth:`from_bytes`."""

    type: WorldType
    id: int
    timestamp: int
    update_key: bytes
    signature: bytes
    roots: tuple[Root, ...] = field(default_factory=tuple)

    # ---- construction --------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        roots: Iterable[Root],
        *,
        signing_key: KeyPair,
        update_key: Union[KeyPair, BytesLike, None] = None,
        id: int,
        timestamp: Optional[int] = None,
        type: WorldType = WorldType.PLANET,
    ) -> World:
        """A world signed by ``signing_key`` (the previous revision's update key, or for a first
        revision any key). ``update_key`` (default: ``signing_key``) will have to sign the next one.
        ``timestamp`` defaults to now in milliseconds: later revisions need larger timestamps."""
        if isinstance(update_key, KeyPair):
            update = update_key.public
        elif update_key is None:
            update = signing_key.public
        else:
            update = bytes(update_key)
        unsigned = cls(
            type=WorldType(type),
            id=id,
            timestamp=int(time.time() * 1000) if timestamp is None else timestamp,
            update_key=update,
            signature=bytes(SIGNATURE_SIZE),
            roots=tuple(roots),
        )
        unsigned._check()
        signature = ll.world_sign(unsigned._fields(), signing_key.to_bytes(), WorldError)
        return cls(unsigned.type, unsigned.id, unsigned.timestamp, unsigned.update_key, signature, unsigned.roots)

    @classmethod
    def from_bytes(cls, data: BytesLike) -> World:
        f = ll.world_parse(data, WorldError)
        roots = tuple(Root(Identity.from_string(text), endpoints) for text, endpoints in f["roots"])
        return cls(WorldType(f["type"]), f["id"], f["timestamp"], f["update_key"], f["signature"], roots)

    @classmethod
    def load(cls, path: PathLike) -> World:
        return cls.from_bytes(Path(path).read_bytes())

    @classmethod
    def default_planet(cls) -> World:
        """ZeroTier's own planet, compiled into every ZeroTier One node."""
        return cls.from_bytes(ll.world_default_planet())

    # ---- serialization and checks -----------------------------------------------------------------

    def to_bytes(self) -> bytes:
        self._check()
        return ll.world_serialize(self._fields(), WorldError)

    def save(self, path: PathLike) -> None:
        from libzt._files import write_atomic

        write_atomic(Path(path), self.to_bytes())

    def verify(self, public_key: Union[KeyPair, BytesLike, None] = None) -> bool:
        """True if the signature was made by ``public_key``. With no key, checks a self-signed world
        (first revisions are signed by their own update key)."""
        if isinstance(public_key, KeyPair):
            key = public_key.public
        elif public_key is None:
            key = self.update_key
        else:
            key = bytes(public_key)
        if len(key) != PUBLIC_KEY_SIZE:
            raise WorldError(f"public key must be {PUBLIC_KEY_SIZE} bytes, got {len(key)}")
        return ll.world_verify(self._fields(), key, WorldError)

    def should_be_replaced_by(self, update: World) -> bool:
        """ZeroTier's rule for accepting a new revision: same id and type, a newer timestamp, and a
        signature by this revision's update key."""
        return ll.world_should_be_replaced_by(self._fields(), update._fields(), WorldError)

    def _check(self) -> None:
        if len(self.update_key) != PUBLIC_KEY_SIZE:
            raise WorldError(f"update key must be {PUBLIC_KEY_SIZE} bytes, got {len(self.update_key)}")
        if len(self.signature) != SIGNATURE_SIZE:
            raise WorldError(f"signature must be {SIGNATURE_SIZE} bytes, got {len(self.signature)}")
        if not 0 <= self.id < 2**64 or not 0 <= self.timestamp < 2**64:
            raise WorldError("id and timestamp must be unsigned 64-bit integers")
        if len(self.roots) > MAX_ROOTS:
            raise WorldError(f"a world has at most {MAX_ROOTS} roots, got {len(self.roots)}")
        for root in self.roots:
            if not isinstance(root, Root):
                raise TypeError(f"roots must be Root objects, not {type(root).__name__}")
            if root.identity.has_secret:
                raise WorldError(f"root {root.identity.address}: give the public identity, not the secret")

    def _fields(self) -> ll.WorldFields:
        return {
            "type": int(self.type),
            "id": self.id,
            "timestamp": self.timestamp,
            "update_key": self.update_key,
            "signature": self.signature,
            "roots": [(r.identity.public, tuple(r.endpoints)) for r in self.roots],
        }

    def describe(self) -> str:
        """A human-readable summary, as ``libzt world show`` prints it."""
        lines = [
            f"{self.type.name.lower()} {self.id} timestamp {self.timestamp}",
            f"  update key {self.update_key.hex()}",
            f"  signature  {self.signature[:32].hex()}...",
        ]
        for r in self.roots:
            lines.append(f"  root {r.identity.address} at {', '.join(r.endpoints) or '(no endpoints)'}")
        return "\n".join(lines)


def roots_from_specs(specs: Sequence[str]) -> list[Root]:
    return [Root.parse(s) for s in specs]
