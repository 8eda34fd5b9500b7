# SPDX-License-Identifier: Apache-2.0
"""ZeroTier identities and bare C25519 key pairs.

An identity is a 40-bit address bound to a 64-byte public key (X25519 || Ed25519) by a memory-hard
hash, optionally with its private key. Its string form ``address:0:public[:private]`` and binary form
are byte-exact with ZeroTier One, so identity files move between libzt and zerotier-one unchanged.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional, Union

from libzt._bindings import constants as _c
from libzt._bindings import identity as ll
from libzt.errors import IdentityError

BytesLike = Union[bytes, bytearray, memoryview]
PathLike = Union[str, "os.PathLike[str]"]

PUBLIC_KEY_SIZE = _c.PUBLIC_KEY_LEN  # 64: X25519 || Ed25519
PRIVATE_KEY_SIZE = _c.PRIVATE_KEY_LEN  # 64
SIGNATURE_SIZE = _c.SIGNATURE_LEN  # 96: Ed25519's 64 and 32 bytes of the signed hash
SHARED_KEY_SIZE = _c.SYMMETRIC_KEY_LEN  # 48
_IDENTITY_PREFIX = re.compile(r"^\s*[0-9a-fA-F]{10}:")


class Identity:
    """A ZeroTier identity. Create one with :meth:`generate`, :meth:`from_string` or :meth:`from_bytes`."""

    __slots__ = ("_handle",)

    def __init__(self, _handle: ll.IdentityHandle) -> None:
        self._handle = _handle

    # ---- construction --------------------------------------------------------------------------

    @classmethod
    def generate(cls, threads: int = 1) -> Identity:
        """A new identity with a private key. Takes tens of milliseconds per thread by design (the
        address derivation is memory-hard); ``threads=0`` searches on every CPU."""
        if not isinstance(threads, int) or threads < 0:
            raise IdentityError("threads must be a non-negative int")
        return cls(ll.identity_generate(threads, IdentityError))

    @classmethod
    def from_string(cls, text: str) -> Identity:
        """Parse ``address:0:public[:private]`` (hex). Does not run the memory-hard check: call
        :meth:`validate` for identities from an untrusted source."""
        return cls(ll.identity_from_string(text, IdentityError))

    @classmethod
    def from_bytes(cls, data: BytesLike) -> Identity:
        """Parse the binary form: 71 bytes (public) or 135 bytes (with the private key)."""
        return cls(ll.identity_from_bytes(data, IdentityError))

    @classmethod
    def load(cls, path: PathLike) -> Identity:
        """Read an ``identity.secret`` or ``identity.public`` file."""
        return cls.from_string(Path(path).read_text(encoding="ascii"))

    @classmethod
    def from_string_or_file(cls, text: str) -> Identity:
        """An identity given on a command line: the string itself, or the path of an identity file."""
        if _IDENTITY_PREFIX.match(text):
            return cls.from_string(text)
        return cls.load(text)

    # ---- properties ----------------------------------------------------------------------------

    @property
    def address(self) -> str:
        """The 10-hex-digit address, e.g. ``"6d1621b31f"``."""
        return f"{self.node_id:010x}"

    @property
    def node_id(self) -> int:
        """The address as an integer (what ``zts_node_get_id`` returns)."""
        return ll.identity_address(self._handle)

    @property
    def public(self) -> str:
        """``address:0:public``: safe to share, the content of ``identity.public``."""
        return ll.identity_to_string(self._handle, False)

    @property
    def secret(self) -> Optional[str]:
        """``address:0:public:private`` (the content of ``identity.secret``), or None if the private
        key is not known."""
        return ll.identity_to_string(self._handle, True) if self.has_secret else None

    @property
    def has_secret(self) -> bool:
        return ll.identity_has_private(self._handle)

    @property
    def public_key(self) -> bytes:
        """The 64-byte public key: X25519 (32) then Ed25519 (32)."""
        return ll.identity_public_key(self._handle)

    def to_bytes(self, include_secret: bool = False) -> bytes:
        return ll.identity_to_bytes(self._handle, include_secret)

    def public_identity(self) -> Identity:
        """The same identity without its private key."""
        return Identity.from_string(self.public)

    # ---- cryptography --------------------------------------------------------------------------

    def validate(self) -> bool:
        """True if the address derives from the public key (the memory-hard hash, a few ms) and, when
        the private key is present, if it is the one behind the public key."""
        return ll.identity_validate(self._handle)

    def sign(self, message: BytesLike) -> bytes:
        """ZeroTier's 96-byte signature of ``message``. Needs the private key."""
        return ll.identity_sign(self._handle, message, IdentityError)

    def verify(self, message: BytesLike, signature: BytesLike) -> bool:
        return ll.identity_verify(self._handle, message, signature)

    def agree(self, peer: Identity) -> bytes:
        """The 48-byte symmetric key this identity and ``peer`` share (ZeroTier's per-peer key)."""
        if not isinstance(peer, Identity):
            raise TypeError(f"peer must be an Identity, not {type(peer).__name__}")
        return ll.identity_agree(self._handle, peer._handle, IdentityError)

    # ---- storage -------------------------------------------------------------------------------

    def save(self, directory: PathLike) -> None:
        """Write ``identity.public`` and (if known) ``identity.secret`` (mode 0600) atomically, as
        ZeroTier names them."""
        from libzt._files import write_atomic

        d = Path(directory)
        write_atomic(d / "identity.public", self.public.encode("ascii"), mode=0o644)
        secret = self.secret
        if secret is not None:
            write_atomic(d / "identity.secret", secret.encode("ascii"), mode=0o600)

    # ---- value semantics -----------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        return self.public == other.public

    def __hash__(self) -> int:
        return hash(self.public)

    def __str__(self) -> str:
        return self.public

    def __repr__(self) -> str:
        kind = "secret" if self.has_secret else "public"
        return f"<Identity {self.address} ({kind})>"


class KeyPair:
    """A bare C25519 key pair: what signs worlds. Stored as public (64) || private (64) bytes, the
    layout of ZeroTier's ``*.c25519`` files."""

    __slots__ = ("_pair",)

    SIZE = _c.KEY_PAIR_LEN  # public || private

    def __init__(self, pair: bytes) -> None:
        self._pair = pair

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(ll.keypair_generate())

    @classmethod
    def from_bytes(cls, data: BytesLike) -> KeyPair:
        raw = bytes(data)
        if len(raw) != cls.SIZE:
            raise IdentityError(f"key pair: expected {cls.SIZE} bytes (public || private), got {len(raw)}")
        ll.keypair_check(raw, IdentityError)
        return cls(raw)

    @classmethod
    def from_identity(cls, identity: Identity) -> KeyPair:
        """The key pair of an identity that has its private key."""
        if not identity.has_secret:
            raise IdentityError("identity has no private key")
        raw = identity.to_bytes(include_secret=True)
        # binary identity: address(5) type(1) public(64) length(1) private(64)
        return cls.from_bytes(raw[6:70] + raw[71:135])

    @classmethod
    def load(cls, path: PathLike) -> KeyPair:
        return cls.from_bytes(Path(path).read_bytes())

    def save(self, path: PathLike) -> None:
        from libzt._files import write_atomic

        write_atomic(Path(path), self._pair, mode=0o600)

    @property
    def public(self) -> bytes:
        return self._pair[:PUBLIC_KEY_SIZE]

    def to_bytes(self) -> bytes:
        return self._pair

    def sign(self, message: BytesLike) -> bytes:
        return ll.keypair_sign(self._pair, message)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KeyPair) and other._pair == self._pair

    def __hash__(self) -> int:
        return hash(self.public)

    def __repr__(self) -> str:
        return f"<KeyPair public={self.public[:8].hex()}...>"


def verify_signature(public_key: BytesLike, message: BytesLike, signature: BytesLike) -> bool:
    """Check a ZeroTier signature against a 64-byte public key."""
    key = bytes(public_key)
    if len(key) != PUBLIC_KEY_SIZE:
        raise IdentityError(f"public key must be {PUBLIC_KEY_SIZE} bytes, got {len(key)}")
    return ll.signature_verify(key, message, signature)
