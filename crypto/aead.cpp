#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>

#include "crypto/openssl_handles.h"

namespace sealstack::crypto {

namespace {

// EVP takes int lengths; feed larger inputs in pieces.
constexpr size_t kMaxChunk = size_t{1} << 30;

using openssl::Bytes;

Status CheckNonce(std::string_view nonce) {
  if (nonce.size() != kGcmNonceSize) {
    return Status::InvalidArgument("AES-GCM nonce must be 12 bytes, got " +
                                   std::to_string(nonce.size()));
  }
  return Status::Ok();
}

// Feeds AAD (out == nullptr) or data through EVP_CipherUpdate in int-sized pieces.
bool Update(EVP_CIPHER_CTX* ctx, unsigned char* out, std::string_view in) {
  while (!in.empty()) {
    size_t n = std::min(in.size(), kMaxChunk);
    int len = 0;
    if (EVP_CipherUpdate(ctx, out, &len, Bytes(in), static_cast<int>(n)) != 1) return false;
    if (out != nullptr) out += len;
    in.remove_prefix(n);
  }
  return true;
}

}  // namespace

// AES-256-GCM, fetched from the provider once per process (never freed). EVP_aes_256_gcm() is a
// legacy handle that makes every EVP_CipherInit_ex look the algorithm up again.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* const kCipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return kCipher;
}

// The two directions' contexts are keyed when first used: most AesGcm objects seal once or open
// once, and each key schedule costs about as much as sealing a small message.
struct AesGcm::Contexts {
  SecretBytes key;
  EVP_CIPHER_CTX* seal = nullptr;
  EVP_CIPHER_CTX* open = nullptr;
  ~Contexts() {
    EVP_CIPHER_CTX_free(seal);
    EVP_CIPHER_CTX_free(open);
  }
  // The keyed context of one direction (1 = seal, 0 = open); null when OpenSSL fails.
  EVP_CIPHER_CTX* Keyed(int enc) {
    EVP_CIPHER_CTX*& ctx = enc == 1 ? seal : open;
    if (ctx != nullptr) return ctx;
    EVP_CIPHER_CTX* fresh = EVP_CIPHER_CTX_new();
    // The 12-byte IV length is GCM's default.
    if (fresh == nullptr || Aes256Gcm() == nullptr ||
        EVP_CipherInit_ex(fresh, Aes256Gcm(), nullptr, key.data(), nullptr, enc) != 1) {
      EVP_CIPHER_CTX_free(fresh);
      return nullptr;
    }
    ctx = fresh;
    return ctx;
  }
};

Result<AesGcm> AesGcm::Create(const SecretBytes& key) {
  if (key.size() != kAes256KeySize) {
    return Status::InvalidArgument("AES-256-GCM key must be 32 bytes, got " +
                                   std::to_string(key.size()));
  }
  auto contexts = std::make_unique<Contexts>();
  contexts->key = key;
  return AesGcm(std::move(contexts));
}

AesGcm::AesGcm(std::unique_ptr<Contexts> contexts) : contexts_(std::move(contexts)) {}
AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;
AesGcm::~AesGcm() = default;

Status AesGcm::SealAppend(std::string_view nonce, std::string_view aad, std::string_view plaintext,
                          std::string* out) {
  SEALSTACK_RETURN_IF_ERROR(CheckNonce(nonce));
  EVP_CIPHER_CTX* ctx = contexts_->Keyed(1);
  if (ctx == nullptr) return Status::Internal("EVP_CipherInit_ex(aes-256-gcm) failed");
  const size_t start = out->size();
  out->resize(start + plaintext.size() + kGcmTagSize);
  auto* dst = reinterpret_cast<unsigned char*>(out->data()) + start;
  unsigned char final_block[16];  // GCM's final step writes no bytes
  int final_len = 0;
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, Bytes(nonce), 1) != 1 ||
      !Update(ctx, nullptr, aad) || !Update(ctx, dst, plaintext) ||
      EVP_CipherFinal_ex(ctx, final_block, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kGcmTagSize, dst + plaintext.size()) != 1) {
    out->resize(start);
    return Status::Internal("AES-GCM seal failed");
  }
  return Status::Ok();
}

Result<std::string> AesGcm::Seal(std::string_view nonce, std::string_view aad,
                                 std::string_view plaintext) {
  std::string out;
  SEALSTACK_RETURN_IF_ERROR(SealAppend(nonce, aad, plaintext, &out));
  return out;
}

Status AesGcm::OpenInto(std::string_view nonce, std::string_view aad, std::string_view sealed,
                        uint8_t* out) {
  SEALSTACK_RETURN_IF_ERROR(CheckNonce(nonce));
  if (sealed.size() < kGcmTagSize) {
    return Status::Integrity("AES-GCM sealed data shorter than its tag");
  }
  std::string_view ciphertext = sealed.substr(0, sealed.size() - kGcmTagSize);
  // EVP wants a mutable tag buffer.
  unsigned char tag[kGcmTagSize];
  std::copy_n(Bytes(sealed) + ciphertext.size(), kGcmTagSize, tag);
  EVP_CIPHER_CTX* ctx = contexts_->Keyed(0);
  if (ctx == nullptr) return Status::Internal("EVP_CipherInit_ex(aes-256-gcm) failed");
  if (EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, Bytes(nonce), 0) != 1 ||
      !Update(ctx, nullptr, aad) || !Update(ctx, out, ciphertext) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag) != 1) {
    return Status::Internal("AES-GCM open failed");
  }
  unsigned char final_block[16];  // GCM's final step writes no bytes
  int final_len = 0;
  if (EVP_CipherFinal_ex(ctx, final_block, &final_len) != 1) {
    return Status::Integrity("AES-GCM authentication failed");
  }
  return Status::Ok();
}

Status AesGcm::OpenAppend(std::string_view nonce, std::string_view aad, std::string_view sealed,
                          std::string* out) {
  const size_t start = out->size();
  const size_t n = sealed.size() >= kGcmTagSize ? sealed.size() - kGcmTagSize : 0;
  out->resize(start + n);
  Status s = OpenInto(nonce, aad, sealed, reinterpret_cast<uint8_t*>(out->data()) + start);
  if (!s.ok()) {
    // Never leave unauthenticated plaintext behind.
    OPENSSL_cleanse(out->data() + start, n);
    out->resize(start);
  }
  return s;
}

Result<SecretBytes> AesGcm::Open(std::string_view nonce, std::string_view aad,
                                 std::string_view sealed) {
  SecretBytes out(sealed.size() >= kGcmTagSize ? sealed.size() - kGcmTagSize : 0);
  SEALSTACK_RETURN_IF_ERROR(OpenInto(nonce, aad, sealed, out.data()));
  return out;
}

Result<std::string> AesGcmSeal(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                               std::string_view plaintext) {
  SEALSTACK_ASSIGN_OR_RETURN(AesGcm gcm, AesGcm::Create(key));
  return gcm.Seal(nonce, aad, plaintext);
}

Result<SecretBytes> AesGcmOpen(const SecretBytes& key, std::string_view nonce, std::string_view aad,
                               std::string_view sealed) {
  SEALSTACK_ASSIGN_OR_RETURN(AesGcm gcm, AesGcm::Create(key));
  return gcm.Open(nonce, aad, sealed);
}

}  // namespace sealstack::crypto
