// ObjectStore::UpdateUploadDoc (object_store.h), beside its one user's needs: the client-side
// layer an upload's first part shows (multipart_service.cpp).
#include "api/s3/object_store.h"

namespace sealstack::api::s3 {

Status ObjectStore::UpdateUploadDoc(std::string_view upload_id, std::string_view doc) {
  return db_.WithTransaction([&](storage::Connection& c) -> Status {
    return storage::S3Repo::PutUploadDoc(c, upload_id, doc);
  });
}

}  // namespace sealstack::api::s3
