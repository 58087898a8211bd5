#include "api/s3/s3_wire_errors.h"

#include "api/common/errors.h"
#include "api/common/xml_reader.h"
#include "api/s3/s3_errors.h"
#include "api/s3/s3_xml.h"

namespace sealstack::api::s3 {

WireError S3StatusToWire(const Status& status) {
  if (status.detail() == kDetailMalformedXml) {
    // The reader's detail (what was wrong where) is for the log; S3 says one thing.
    WireError e;
    e.http_status = 400;
    e.code = "MalformedXML";
    e.message = std::string(kMalformedXmlMessage);
    return e;
  }
  if (auto d = DescribeS3Error(status)) {
    WireError e;
    e.http_status = d->http_status;
    e.code = std::move(d->code);
    e.message = std::move(d->message);
    e.details = std::move(d->details);
    e.server_fault = d->server_fault;
    return e;
  }
  return StatusToWire(status, Protocol::kS3);
}

}  // namespace sealstack::api::s3
