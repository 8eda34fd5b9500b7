# SPDX-License-Identifier: Apache-2.0
"""The binding tier: the only package that imports the compiled module ``libzt._native``.

``libzt._native`` is the cffi extension built from ``ext/cdef/*.h`` (declarations) against the real
headers in ``csrc/include/``. Every module of libzt that needs C goes through a module of this package,
which hands back plain Python values (``int``, ``bytes``, ``str``, tuples, dataclasses); no cffi object
leaves it. Sizes, limits and enum values are read from the compiled library (``lib.ZTS_*``,
``ffi.sizeof``), never typed in again.

The modules pair with the declaration files, as the C API's areas::

    constants   00_constants.h, events.h              ZTS_* / ZTX_* values, zts_errno
    zts         every zts_* function                  libzt's C API callable from Python (public: libzt.zts_*)
    calls       -                                     return codes to exceptions, growing output buffers
    node        node.h, net.h, addr.h, init.h         the node, its peers and networks, as plain data
    events      events.h, x_python.h                  the native event handler, zts_event_msg_t -> Event
    sockets     sockets_bsd.h, sockets_simple.h       descriptors, buffers and address tuples
    identity    identity.h, x_ext.h (ztx_identity_*)  identities and key pairs
    world       x_ext.h (ztx_world_*)                 planets and moons
    wire        x_ext.h (ztx_wire_*, ztx_defrag_*)    VL1 packets: armor, fragments, descriptions
    vl2         x_vl2.h                               network configs, certificates, rules, config chunks
    tap         x_ext.h (ztx_tap_*)                   a network's raw Ethernet frames
    controller  x_controller.h, x_python.h            the network controller's hooks in the core
"""
from libzt._native import ffi, lib

__all__ = ["ffi", "lib"]
