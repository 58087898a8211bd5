// The awsglue compatibility package SealStack writes next to each glueetl script (api/glue/python/:
// awsglue, and a pyspark placeholder for the usual boilerplate), embedded by
// api/glue/CMakeLists.txt. A compatibility layer over plain Python and boto3, not Spark:
// docs/glue.md says what it covers.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sealstack::api::glue {

struct PythonFile {
  std::string_view path;  // relative, e.g. "awsglue/context.py"
  std::string_view text;
};

std::span<const PythonFile> EmbeddedPythonFiles();

// Writes every embedded file under `dir` (creating its folders).
Status WritePythonPackage(const std::string& dir);

}  // namespace sealstack::api::glue
