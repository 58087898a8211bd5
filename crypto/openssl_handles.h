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

// The deleter of a handle: OpenSSL's own free function for the type.
template <auto kFree>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using UniquePkey = std::unique_ptr<EVP_PKEY, FreeWith<&EVP_PKEY_free>>;
using UniqueBn = std::unique_ptr<BIGNUM, FreeWith<&BN_free>>;
using UniqueParamBld = std::unique_ptr<OSSL_PARAM_BLD, FreeWith<&OSSL_PARAM_BLD_free>>;
using UniqueParams = std::unique_ptr<OSSL_PARAM, FreeWith<&OSSL_PARAM_free>>;
using UniqueEcdsaSig = std::unique_ptr<ECDSA_SIG, FreeWith<&ECDSA_SIG_free>>;
using UniquePkeyCtx = std::unique_ptr<EVP_PKEY_CTX, FreeWith<&EVP_PKEY_CTX_free>>;
using UniqueMdCtx = std::unique_ptr<EVP_MD_CTX, FreeWith<&EVP_MD_CTX_free>>;
using UniqueCipherCtx = std::unique_ptr<EVP_CIPHER_CTX, FreeWith<&EVP_CIPHER_CTX_free>>;
using UniqueBio = std::unique_ptr<BIO, FreeWith<&BIO_free>>;

// OpenSSL takes unsigned char pointers; our buffers are std::string / string_view.
inline const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace sealstack::crypto::openssl
