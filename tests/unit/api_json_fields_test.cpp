// The members api/common/json_fields.h reads back: what each reads from a member that is there,
// absent, or of another type; and that what the writers write reads back the same.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "api/common/json_fields.h"

using namespace sealstack;

namespace {

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("ReadJson* read a member, and the empty value when it is absent or of another type",
          "[api][json_fields]") {
  const rapidjson::Document d = Parse(
      R"({"s":"a\u0000b","b":true,"n":-7,"l":["x",1,"y\u0000z"],"m":{"k":"v","i":2,"n\u0000x":"w\u0000y"},)"
      R"("wrong":{}})");
  CHECK(api::ReadJsonString(d, "s") == std::string("a\0b", 3));
  CHECK(api::ReadJsonBool(d, "b"));
  CHECK(api::ReadJsonInt64(d, "n") == -7);
  CHECK(api::ReadJsonStringList(d, "l") == std::vector<std::string>{"x", std::string("y\0z", 3)});
  // Map names and values stop at a NUL (as the stored documents have always been read).
  CHECK(api::ReadJsonStringMap(d, "m") ==
        std::map<std::string, std::string>{{"k", "v"}, {"n", "w"}});

  for (const char* key : {"absent", "wrong"}) {
    INFO(key);
    CHECK(api::ReadJsonString(d, key).empty());
    CHECK_FALSE(api::ReadJsonBool(d, key));
    CHECK(api::ReadJsonInt64(d, key) == 0);
    CHECK(api::ReadJsonInt64(d, key, 365) == 365);
    CHECK(api::ReadJsonStringList(d, key).empty());
  }
  CHECK(api::ReadJsonStringMap(d, "absent").empty());
  CHECK(api::ReadJsonStringMap(d, "s").empty());
  CHECK(api::ReadJsonStringList(d, "m").empty());
}

TEST_CASE("What WriteJson* writes, ReadJson* reads back", "[api][json_fields]") {
  rapidjson::StringBuffer buf;
  api::JsonFieldWriter w(buf);
  w.StartObject();
  api::WriteJsonString(w, "s", "text");
  api::WriteJsonBool(w, "b", true);
  api::WriteJsonInt64(w, "n", int64_t{1} << 40);
  api::WriteJsonStringList(w, "l", {"a", "b"});
  api::WriteJsonStringMap(w, "m", {{"k1", "v1"}, {"k2", "v2"}});
  w.EndObject();
  const rapidjson::Document d = Parse(std::string(buf.GetString(), buf.GetSize()));
  CHECK(api::ReadJsonString(d, "s") == "text");
  CHECK(api::ReadJsonBool(d, "b"));
  CHECK(api::ReadJsonInt64(d, "n") == int64_t{1} << 40);
  CHECK(api::ReadJsonStringList(d, "l") == std::vector<std::string>{"a", "b"});
  CHECK(api::ReadJsonStringMap(d, "m") ==
        std::map<std::string, std::string>{{"k1", "v1"}, {"k2", "v2"}});
}
