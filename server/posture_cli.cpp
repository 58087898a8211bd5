#include "server/posture_cli.h"

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/common/json_fields.h"
#include "server/argument_cursor.h"
#include "server/http_get.h"
#include "server/posture.h"

namespace sealstack::server {

namespace {

constexpr char kPostureUsage[] =
    "usage: sealstack posture --endpoint URL [--json] [--fail-on critical|high|medium|low]\n"
    "                         [--account ACCOUNT]\n"
    "Prints the encryption posture report of the SealStack at URL (GET /_sealstack/posture).\n"
    "Exit status: 1 when a finding at or above --fail-on exists, 0 otherwise; 2 on a usage or\n"
    "connection error.\n";

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void PrintTable(const rapidjson::Document& d, std::FILE* out) {
  const auto& findings = d["findings"];
  for (const auto& f : findings.GetArray()) {
    std::fprintf(out, "%-9s %-42s %s\n", Upper(api::ReadJsonString(f, "severity")).c_str(),
                 api::ReadJsonString(f, "id").c_str(), api::ReadJsonString(f, "resource").c_str());
    std::fprintf(out, "          %s\n", api::ReadJsonString(f, "reason").c_str());
    std::fprintf(out, "          fix: %s\n", api::ReadJsonString(f, "fix").c_str());
    std::string facts;
    if (auto c = f.FindMember("counts"); c != f.MemberEnd() && c->value.IsObject()) {
      for (const auto& m : c->value.GetObject()) {
        if (!facts.empty()) facts += ", ";
        facts += std::string(m.name.GetString()) + "=" +
                 std::to_string(m.value.IsInt64() ? m.value.GetInt64() : 0);
      }
    }
    if (auto e = f.FindMember("examples");
        e != f.MemberEnd() && e->value.IsArray() && !e->value.Empty()) {
      facts += facts.empty() ? "e.g. " : "; e.g. ";
      bool first = true;
      for (const auto& x : e->value.GetArray()) {
        if (!x.IsString()) continue;
        if (!first) facts += ", ";
        facts += x.GetString();
        first = false;
      }
    }
    if (!facts.empty()) std::fprintf(out, "          %s\n", facts.c_str());
  }
  const auto& s = d["summary"];
  auto n = [&](const char* k) {
    auto it = s.FindMember(k);
    return it != s.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
  };
  std::fprintf(out, "%lld finding(s): %lld critical, %lld high, %lld medium, %lld low\n",
               static_cast<long long>(n("total")), static_cast<long long>(n("critical")),
               static_cast<long long>(n("high")), static_cast<long long>(n("medium")),
               static_cast<long long>(n("low")));
}

}  // namespace

int RunPostureCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err) {
  std::string endpoint, account;
  bool json = false;
  std::optional<Severity> fail_on;
  ArgumentCursor args(argc, argv);
  while (args.Next()) {
    const std::string arg = args.arg();
    auto value = [&] { return args.Value(); };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kPostureUsage, out);
      return 0;
    }
    if (arg == "--json") {
      json = true;
    } else if (arg == "--endpoint" || arg == "--account" || arg == "--fail-on") {
      auto v = value();
      if (!v) {
        std::fprintf(err, "sealstack posture: %s needs a value\n%s", arg.c_str(), kPostureUsage);
        return 2;
      }
      if (arg == "--endpoint") endpoint = *v;
      if (arg == "--account") account = *v;
      if (arg == "--fail-on") {
        fail_on = ParseSeverity(*v);
        if (!fail_on) {
          std::fprintf(err,
                       "sealstack posture: --fail-on: expected critical, high, medium or low, "
                       "not '%s'\n",
                       v->c_str());
          return 2;
        }
      }
    } else {
      std::fprintf(err, "sealstack posture: unknown argument '%s'\n%s", arg.c_str(), kPostureUsage);
      return 2;
    }
  }
  if (endpoint.empty()) {
    std::fprintf(err, "sealstack posture: --endpoint is required\n%s", kPostureUsage);
    return 2;
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
    std::fprintf(err, "sealstack posture: --endpoint: expected http://HOST:PORT, not '%s'\n",
                 endpoint.c_str());
    return 2;
  }
  std::string path = "/_sealstack/posture";
  if (!account.empty()) path += "?account=" + account;
  auto res = HttpGet(endpoint, path, 60);
  if (!res.ok()) {
    std::fprintf(err, "sealstack posture: cannot reach %s: %s\n", endpoint.c_str(),
                 res.status().message().c_str());
    return 2;
  }
  if (res->status != 200) {
    std::fprintf(err, "sealstack posture: %s answered %d: %s\n", endpoint.c_str(), res->status,
                 res->body.c_str());
    return 2;
  }
  rapidjson::Document d;
  d.Parse(res->body.c_str(), res->body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("findings") || !d["findings"].IsArray() ||
      !d.HasMember("summary") || !d["summary"].IsObject()) {
    std::fprintf(err, "sealstack posture: %s did not answer a posture report\n", endpoint.c_str());
    return 2;
  }
  if (json) {
    std::fwrite(res->body.data(), 1, res->body.size(), out);
    std::fputc('\n', out);
  } else {
    PrintTable(d, out);
  }
  if (!fail_on) return 0;
  for (const auto& f : d["findings"].GetArray()) {
    auto s = ParseSeverity(api::ReadJsonString(f, "severity"));
    if (s && static_cast<int>(*s) <= static_cast<int>(*fail_on)) return 1;
  }
  return 0;
}

}  // namespace sealstack::server
