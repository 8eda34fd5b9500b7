// SPDX-License-Identifier: Apache-2.0
// The lwIP TCP/IP stack of this process (our build of lwIP, NO_SYS=0 with its tcpip thread and core
// locking). lwIP keeps global state, so it is started once and never stopped: nodes come and go
// above it, as in libzt.
#pragma once

namespace zt::net {

// Starts lwIP's tcpip thread the first time; returns once the stack is ready. Thread-safe.
void ensure_stack();
bool stack_running();

// Holds lwIP's core lock for a scope. Lock order in this library: lwIP core lock first, then the
// node lock; never take the core lock while holding the node lock.
class CoreLock {
  public:
    CoreLock();
    ~CoreLock();
    CoreLock(const CoreLock&) = delete;
    CoreLock& operator=(const CoreLock&) = delete;
};

}  // namespace zt::net
