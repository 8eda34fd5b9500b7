// SPDX-License-Identifier: Apache-2.0
// VL2 objects as JSON for the inspection API (ztx_netconf_parse, ztx_rules_parse, ...). Rules use
// the objects of ZeroTier's controller REST API ("type", "not", "or" and the per-type fields), so the
// same shapes serve tests, tools and a controller. IDs and addresses are hex strings (16 and 10
// digits), times and counts numbers. With a controller identity, signed credentials carry
// "signature_valid".
#pragma once

#include <string>
#include <vector>

#include "tools/json_writer.hpp"
#include "zt/credentials.hpp"
#include "zt/dictionary.hpp"
#include "zt/netconf.hpp"

namespace zt::api {

using tools::JsonWriter;

void write_rules_json(JsonWriter& j, const std::vector<Rule>& rules);
void write_com_json(JsonWriter& j, const CertificateOfMembership& com, const Identity* controller);
void write_bundle_json(JsonWriter& j, const CredentialBundle& bundle, const Identity* controller);
void write_netconf_json(JsonWriter& j, const NetworkConfig& nc, const Identity* controller);
void write_dictionary_json(JsonWriter& j, const Dictionary& d);

}  // namespace zt::api
