#include "api/glue/glue_python.h"

#include <filesystem>
#include <fstream>

namespace sealstack::api::glue {

Status WritePythonPackage(const std::string& dir) {
  for (const PythonFile& f : EmbeddedPythonFiles()) {
    const std::filesystem::path path = std::filesystem::path(dir) / std::string(f.path);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(f.text.data(), static_cast<std::streamsize>(f.text.size()));
    if (!out) return Status::Internal("cannot write " + path.string());
  }
  return Status::Ok();
}

}  // namespace sealstack::api::glue
