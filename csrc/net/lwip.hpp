// SPDX-License-Identifier: Apache-2.0
// lwIP's headers, for C++. Debian's lwipopts.h declares the core-lock functions outside any
// extern "C" block, so everything lwIP is included with C linkage from here.
#pragma once

extern "C" {
#include <lwip/etharp.h>
#include <lwip/ethip6.h>
#include <lwip/ip6_addr.h>
#include <lwip/mld6.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/sockets.h>
#include <lwip/tcpip.h>
#include <netif/ethernet.h>
}
