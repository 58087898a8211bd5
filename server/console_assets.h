// The console's files, embedded into the binary at build time: CMake turns every file of
// server/console/ into bytes of a generated console_assets.cpp (cmake/embed_assets.cmake).
#pragma once

#include <cstddef>
#include <string_view>

namespace sealstack::server {

struct ConsoleAsset {
  std::string_view path;          // "index.html", "console.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view bytes;
};

// The embedded files; `count` receives how many.
const ConsoleAsset* ConsoleAssets(size_t* count);

}  // namespace sealstack::server
