// A self-signed TLS certificate for the optional HTTPS listener, so `--https-port` works with
// no set-up. Clients must be told to trust it (or skip verification); it is for tests only.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace sealstack::crypto {

struct PemPair {
  std::string certificate_pem;
  std::string private_key_pem;
};

// An ECDSA P-256 key and a certificate for CN=localhost with subjectAltNames for each host
// (DNS names, or IP addresses when they parse as such), valid from now for `days`.
Result<PemPair> GenerateSelfSignedCertificate(const std::vector<std::string>& hosts, int days);

}  // namespace sealstack::crypto
