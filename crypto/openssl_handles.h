// Owning handles for OpenSSL objects, and the byte-pointer view OpenSSL's APIs take. Internal to
// crypto/: nothing outside this folder sees an OpenSSL type.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string_view>

namespace sealstack::crypto::openssl {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

using UniquePkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using UniqueBn = std::unique_ptr<BIGNUM, BnFree>;
using UniqueParamBld = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using UniqueParams = std::unique_ptr<OSSL_PARAM, ParamFree>;
using UniqueEcdsaSig = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;
using UniquePkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using UniqueMdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using UniqueCipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using UniqueBio = std::unique_ptr<BIO, BioFree>;

// OpenSSL takes unsigned char pointers; our buffers are std::string / string_view.
inline const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace sealstack::crypto::openssl
