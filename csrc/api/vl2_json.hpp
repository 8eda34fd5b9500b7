// SPDX-License-Identifier: Apache-2.0
// VL2 objects as JSON for the inspection API (ztx_netconf_parse, ztx_credentials_parse, ...). The
// rules inside them are tools/rules_json.hpp's (the controller REST API's objects). IDs and addresses
// are hex strings (16 and 10 digits), times and counts numbers. With a controller identity, signed
// credentials carry "signature_valid".
#pragma once

#include <string>
#include <vector>

#include "tools/rules_json.hpp"
#include "tools/json_writer.hpp"
#include "zt/credentials.hpp"
#include "zt/dictionary.hpp"
#include "zt/netconf.hpp"

namespace zt::api {

using tools::JsonWriter;
using tools::write_rules_json;

void write_com_json(JsonWriter& j, const CertificateOfMembership& com, const Identity* controller);
void write_bundle_json(JsonWriter& j, const CredentialBundle& bundle, const Identity* controller);
void write_netconf_json(JsonWriter& j, const NetworkConfig& nc, const Identity* controller);
void write_dictionary_json(JsonWriter& j, const Dictionary& d);

}  // namespace zt::api
