// SPDX-License-Identifier: Apache-2.0
// The lwIP TCP/IP stack of this process (our build of lwIP, NO_SYS=0 with its tcpip thread and core
// locking). lwIP keeps global state, so it is started once and never stopped: nodes come and go
// above it, as in libzt.
#pragma once

namespace zt::net {

// Starts lwIP's tcpip thread the first time; returns once the stack is ready. Thread-safe.
void ensure_stack();
bool stack_running();

// Runs fn(arg) once, right after this thread next releases the core lock (lwIP holds it while it
// sends a burst of frames; their datagrams can then leave together). One pending call per thread:
// a later one replaces it. Call with the core lock held.
void after_core_unlock(void (*fn)(void*), void* arg);

// Holds lwIP's core lock for a scope. Lock order in this library: lwIP core lock first, then the
// node lock; never take the core lock while holding the node lock (docs/architecture.md).
class CoreLock {
  public:
    CoreLock();
    ~CoreLock();
    CoreLock(const CoreLock&) = delete;
    CoreLock& operator=(const CoreLock&) = delete;
};

}  // namespace zt::net
