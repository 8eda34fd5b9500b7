// SPDX-License-Identifier: Apache-2.0
// lwIP's headers for the glue: our build of lwIP (csrc/lwip_port/include/lwipopts.h) with its own
// socket definitions (struct sockaddr with sa_len, AF_*, SOL_SOCKET, POLL*, ...), which are also the
// values of ZeroTierSockets.h's ZTS_* names. A file that includes this must not include the system's
// socket headers (<sys/socket.h>, <netinet/in.h>, <poll.h>, <fcntl.h>, ...): both define those names.
#pragma once

#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/ip6_addr.h>
#include <lwip/mld6.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#include <netif/ethernet.h>

#include "net/lwip_options_check.hpp"
