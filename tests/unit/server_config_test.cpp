#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>

#include "server/config.h"

using namespace sealstack;
using server::ParseCommandLine;

namespace {
Result<server::ParsedCommandLine> Parse(std::vector<const char*> args,
                                        std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "sealstack");
  return ParseCommandLine(static_cast<int>(args.size()), args.data(), &env);
}
std::string TempFile(const std::string& content) {
  char name[] = "/tmp/sealstack-config-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  close(fd);
  return name;
}
}  // namespace

TEST_CASE("Defaults", "[config]") {
  auto p = Parse({});
  REQUIRE(p.ok());
  CHECK(p->config.port == 4566);
  CHECK(p->config.threads == 1024);
  CHECK(p->config.host == "127.0.0.1");
  CHECK(p->config.data_dir == ".sealstack");
  CHECK_FALSE(p->config.in_memory);
  CHECK_FALSE(p->config.https_port.has_value());
}

TEST_CASE("Flags beat environment, environment beats the config file", "[config]") {
  std::string file = TempFile(R"({"port": 1111, "region": "eu-west-1", "threads": 3})");
  auto p = Parse({"--config", file.c_str(), "--port=0", "--in-memory"},
                 {{"SEALSTACK_PORT", "2222"}, {"SEALSTACK_REGION", "ap-south-1"}});
  REQUIRE(p.ok());
  CHECK(p->config.port == 0);               // flag
  CHECK(p->config.region == "ap-south-1");  // env over file
  CHECK(p->config.threads == 3);            // file over default
  CHECK(p->config.in_memory);
  std::remove(file.c_str());
}

TEST_CASE("Bad input names the culprit", "[config]") {
  auto unknown = Parse({"--prot", "1"});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("--prot") != std::string::npos);
  auto bad_port = Parse({"--port", "70000"});
  REQUIRE_FALSE(bad_port.ok());
  CHECK(bad_port.status().message().find("port") != std::string::npos);
  auto missing = Parse({"--port"});
  CHECK_FALSE(missing.ok());
  auto bad_env = Parse({}, {{"SEALSTACK_THREADS", "many"}});
  REQUIRE_FALSE(bad_env.ok());
  CHECK(bad_env.status().message().find("SEALSTACK_THREADS") != std::string::npos);
  auto half_tls = Parse({"--tls-cert", "c.pem"});
  CHECK_FALSE(half_tls.ok());
}

TEST_CASE("Config file principals are validated", "[config]") {
  server::Config c;
  Status ok = server::ApplyConfigJson(R"({"principals": [
      {"access_key_id": "AKIAALICE", "secret_access_key": "s3cret",
       "arn": "arn:aws:iam::111122223333:user/alice",
       "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                     "Action": "kms:Encrypt", "Resource": "*"}]}]},
      {"arn": "arn:aws:iam::111122223333:role/GlueJobRole"}]})",
                                      &c);
  REQUIRE(ok.ok());
  REQUIRE(c.principals.size() == 2);
  CHECK(c.principals[0].account == "111122223333");
  CHECK(c.principals[0].type == auth::PrincipalType::kUser);
  CHECK(c.principals[0].policies.size() == 1);
  CHECK(c.principals[1].type == auth::PrincipalType::kRole);

  server::Config bad;
  Status no_secret = server::ApplyConfigJson(
      R"({"principals": [{"access_key_id": "AK", "arn": "arn:aws:iam::111122223333:user/x"}]})",
      &bad);
  CHECK(no_secret.code() == StatusCode::kInvalidArgument);
  CHECK(no_secret.message().find("principals[0]") != std::string::npos);
  Status bad_arn =
      server::ApplyConfigJson(R"({"principals": [{"arn": "arn:aws:iam::12:user/x"}]})", &bad);
  CHECK_FALSE(bad_arn.ok());
  Status bad_policy = server::ApplyConfigJson(
      R"({"principals": [{"arn": "arn:aws:iam::111122223333:role/r",
                          "policies": [{"Statement": [{"Effect": "Maybe", "Action": "*"}]}]}]})",
      &bad);
  CHECK(bad_policy.message().find("principals[0].policies[0]") != std::string::npos);
  Status bad_json = server::ApplyConfigJson("{\"port\": ", &bad);
  CHECK(bad_json.message().find("offset") != std::string::npos);
  Status unknown = server::ApplyConfigJson(R"({"prot": 1})", &bad);
  CHECK(unknown.message().find("prot") != std::string::npos);
}

TEST_CASE("Help documents every flag", "[config]") {
  std::string help = server::HelpText();
  for (const char* flag :
       {"--host", "--port", "--https-port", "--tls-cert", "--tls-key", "--data-dir", "--in-memory",
        "--config", "--threads", "--log-level", "SEALSTACK_ROOT_KEY", "Ready. endpoint="}) {
    INFO(flag);
    CHECK(help.find(flag) != std::string::npos);
  }
}
