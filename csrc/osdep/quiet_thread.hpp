// SPDX-License-Identifier: Apache-2.0
// Threads the library starts for itself (the node's core thread, the event dispatcher, the port
// mapper, lwIP's) leave the process's signals to the application's threads.
//
// The kernel hands a signal sent to the process (SIGINT from a terminal, SIGTERM from a supervisor)
// to any one thread that does not block it. Python runs its handlers in the main thread, and when
// the signal lands on another thread its C-level handler only notes it: a main thread asleep in a
// system call (time.sleep, Event.wait, a blocking recv) sleeps on, and Ctrl-C or a stop request
// goes unanswered. Many C programs likewise expect signals on the threads they made. So our threads
// block every signal but those a fault raises in the thread itself. They are also named, for
// `top -H`, /proc/PID/task/*/comm and debuggers.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <thread>
#include <utility>

namespace zt::osdep {

// Puts a signal mask in force on this thread (pthread_sigmask's `how`: SIG_BLOCK adds to the one in
// force, SIG_SETMASK replaces it) until the end of the scope, then the one that was in force before.
class SignalMaskScope {
  public:
    SignalMaskScope(int how, const sigset_t& mask) { pthread_sigmask(how, &mask, &previous_); }
    ~SignalMaskScope() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    SignalMaskScope(const SignalMaskScope&) = delete;
    SignalMaskScope& operator=(const SignalMaskScope&) = delete;

  private:
    sigset_t previous_;
};

// `name`: at most 15 characters are kept (the kernel's limit).
template <class Body>
std::thread start_quiet_thread(const char* name, Body&& body) {
    sigset_t blocked;
    sigfillset(&blocked);
    for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&blocked, fault);
    // The new thread inherits the mask in force; the caller's comes back after, also if the thread
    // cannot be made (std::system_error).
    const SignalMaskScope quiet(SIG_BLOCK, blocked);
    std::thread thread(std::forward<Body>(body));
    char short_name[16] = {};
    std::strncpy(short_name, name != nullptr ? name : "zt", sizeof short_name - 1);
    pthread_setname_np(thread.native_handle(), short_name);
    return thread;
}

}  // namespace zt::osdep
