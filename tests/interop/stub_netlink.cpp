// Test-only shim that lets the official libzt 1.8.4 wheel's
// _libzt.cpython-39-x86_64-linux-gnu.so load into a newer CPython via ctypes.
//
// Load this library first with RTLD_GLOBAL; it provides:
//   * the ZeroTier::LinuxNetLink members that the .so references but the wheel
//     does not ship (no-ops: libzt never touches the host's routing tables);
//   * _PyTime_AsTimeval_noraise, a private CPython 3.9 symbol that 3.11 dropped;
//   * an event forwarder object whose vtable has the shape of libzt's
//     PythonDirectorCallbackClass (slot 0: on_zerotier_event(msg), then the
//     destructors), so a plain C function pointer can be passed to
//     zts_init_set_event_handler of the Python build.
//
//   * libzt_test_locked_ethernet_input, an lwIP netif input function for the
//     IPv6 netifs of libzt 1.8.4 (see below).
//
// Written for this project's tests; it shares no code with ZeroTier.

#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

namespace ZeroTier {

class InetAddress;

class EXPORT LinuxNetLink {
  public:
    LinuxNetLink();
    ~LinuxNetLink();
    void delRoute(const InetAddress& target, const InetAddress& via, const InetAddress& src, const char* ifaceName);
};

LinuxNetLink::LinuxNetLink()
{
}

LinuxNetLink::~LinuxNetLink()
{
}

void LinuxNetLink::delRoute(const InetAddress&, const InetAddress&, const InetAddress&, const char*)
{
}

}   // namespace ZeroTier

namespace {

typedef void (*libzt_test_event_fn)(void* msg);

// Same virtual layout as PythonDirectorCallbackClass: one virtual method
// taking the event message, then a virtual destructor.
class EventForwarder {
  public:
    explicit EventForwarder(libzt_test_event_fn fn) : fn_(fn)
    {
    }
    virtual void on_zerotier_event(void* msg)
    {
        if (fn_) {
            fn_(msg);
        }
    }
    virtual ~EventForwarder()
    {
    }

  private:
    libzt_test_event_fn fn_;
};

}   // namespace

extern "C" {

// CPython 3.9 rounding modes (_PyTime_round_t).
enum { ROUND_FLOOR = 0, ROUND_CEILING = 1, ROUND_HALF_EVEN = 2, ROUND_UP = 3 };

static int64_t div_round(int64_t x, int64_t d, int mode)
{
    int64_t q = x / d;   // truncates toward zero
    int64_t r = x % d;   // same sign as x
    if (r == 0) {
        return q;
    }
    switch (mode) {
        case ROUND_FLOOR:
            return r < 0 ? q - 1 : q;
        case ROUND_CEILING:
            return r > 0 ? q + 1 : q;
        case ROUND_UP:
            return r > 0 ? q + 1 : q - 1;
        default: {   // half to even
            int64_t twice = r < 0 ? -2 * r : 2 * r;
            int away = twice > d || (twice == d && (q & 1));
            if (! away) {
                return q;
            }
            return r > 0 ? q + 1 : q - 1;
        }
    }
}

// int _PyTime_AsTimeval_noraise(_PyTime_t t, struct timeval *tv, _PyTime_round_t round)
// t is in nanoseconds. Returns 0, or -1 if the value does not fit (tv is then clamped).
EXPORT int _PyTime_AsTimeval_noraise(int64_t t, struct timeval* tv, int round)
{
    int64_t us = div_round(t, 1000, round);
    int64_t sec = us / 1000000;
    int64_t usec = us % 1000000;
    if (usec < 0) {
        usec += 1000000;
        sec -= 1;
    }
    tv->tv_sec = (time_t)sec;
    tv->tv_usec = (suseconds_t)usec;
    return ((int64_t)tv->tv_sec == sec) ? 0 : -1;
}

// --- IPv6 input under lwIP's core lock ------------------------------------------
//
// libzt 1.8.4 registers each network's IPv6 netif with ethernet_input as its input
// function, so frames from ZeroTier's service thread enter lwIP without the TCP/IP
// core lock while the tcpip thread and socket calls run under it: memory corruption
// (SIGSEGV/SIGBUS in tcp_free_acked_segments) and stalled TCP. Plain tcpip_input
// would take the lock but deadlocks: ZeroTier answers lwIP's neighbour solicitations
// for 6PLANE/RFC4193 addresses synchronously, so a thread that already holds the
// core lock (sending) re-enters the input function. This input function takes the
// lock unless the calling thread already owns it. The worker stores its address in
// the netif's `input` field in place of ethernet_input.

typedef signed char lwip_err_t;
typedef lwip_err_t (*lwip_input_fn)(void* p, void* netif);

static lwip_input_fn g_ethernet_input = 0;
static void (*g_lock_core)(void) = 0;
static void (*g_unlock_core)(void) = 0;
static void** g_core_mutex = 0;   // &lock_tcpip_core: a pointer to a struct whose first member is a pthread_mutex_t

EXPORT void libzt_test_set_lwip_hooks(lwip_input_fn ethernet_input, void (*lock_core)(void), void (*unlock_core)(void),
                                      void** core_mutex)
{
    g_ethernet_input = ethernet_input;
    g_lock_core = lock_core;
    g_unlock_core = unlock_core;
    g_core_mutex = core_mutex;
}

static int core_locked_by_this_thread(void)
{
    pthread_mutex_t* m = g_core_mutex ? (pthread_mutex_t*)*g_core_mutex : 0;
    // glibc records the owner's kernel thread id in every locked mutex.
    return m && m->__data.__owner == (int)syscall(SYS_gettid);
}

EXPORT lwip_err_t libzt_test_locked_ethernet_input(void* p, void* netif)
{
    if (core_locked_by_this_thread()) {
        return g_ethernet_input(p, netif);
    }
    g_lock_core();
    lwip_err_t err = g_ethernet_input(p, netif);
    g_unlock_core();
    return err;
}

// Returns an object to pass to zts_init_set_event_handler; it calls fn(msg)
// for every event. Never freed: libzt keeps the pointer until the process exits.
EXPORT void* libzt_test_event_forwarder_new(libzt_test_event_fn fn)
{
    return new EventForwarder(fn);
}

}   // extern "C"
