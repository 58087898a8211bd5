// The Glue request readers (api/glue/glue_wire_readers.h): the typed input they produce, and the
// InvalidInputException text Glue answers for a bad request (the first error, worded exactly).
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "api/glue/glue_errors.h"
#include "api/glue/glue_wire_readers.h"

using namespace sealstack;
using namespace sealstack::api;
using namespace sealstack::api::glue;

namespace {

Result<Input> Read(const std::string& operation, const std::string& body) {
  auto in = JsonInput::Parse(body, GlueInputStyle());
  REQUIRE(in.ok());
  InputReader reader = FindInputReader(operation);
  REQUIRE(reader != nullptr);
  return reader(*in);
}

const char kJob[] = R"("Name":"j","Role":"r","Command":{"Name":"pythonshell"})";

}  // namespace

TEST_CASE("bad requests: the first error, in Glue's words", "[glue][readers]") {
  const std::string long_name(300, 'n');
  static const struct {
    const char* operation;
    std::string body;
    std::string message;
  } kCases[] = {
      {"CreateJob", "{}",
       "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member "
       "must not be null"},
      {"CreateJob", R"({"Name":"j","Role":"r"})",
       "1 validation error detected: Value null at 'command' failed to satisfy constraint: "
       "Member must not be null"},
      {"CreateJob", R"({"Name":5})", "Member Name must be a string"},
      // Two broken constraints: only the first is reported.
      {"CreateJob", R"({"Name":"","Role":""})",
       "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must "
       "have length greater than or equal to 1"},
      // Long values are echoed whole.
      {"GetJob", R"({"JobName":")" + long_name + R"("})",
       "1 validation error detected: Value '" + long_name +
           "' at 'jobName' failed to satisfy constraint: Member must have length less than or "
           "equal to 255"},
      {"CreateJob", std::string("{") + kJob + R"(,"Timeout":0})",
       "1 validation error detected: Value '0' at 'timeout' failed to satisfy constraint: Member "
       "must have value greater than or equal to 1"},
      {"CreateJob", std::string("{") + kJob + R"(,"Timeout":1.5})",
       "Member Timeout must be an integer"},
      {"CreateJob", std::string("{") + kJob + R"(,"JobMode":"X"})",
       "1 validation error detected: Value 'X' at 'jobMode' failed to satisfy constraint: Member "
       "must satisfy enum value set: [SCRIPT, VISUAL, NOTEBOOK]"},
      {"CreateJob", std::string("{") + kJob + R"(,"JobMode":3})",
       "1 validation error detected: Value '?' at 'jobMode' failed to satisfy constraint: Member "
       "must satisfy enum value set: [SCRIPT, VISUAL, NOTEBOOK]"},
      {"CreateJob", std::string("{") + kJob + R"(,"DefaultArguments":{"--a":1}})",
       "Values of DefaultArguments must be strings"},
      {"CreateJob", std::string("{") + kJob + R"(,"DefaultArguments":[]})",
       "Member DefaultArguments must be a map"},
      {"CreateJob", std::string("{") + kJob + R"(,"MaxCapacity":"x"})",
       "Member MaxCapacity must be a number"},
      {"CreateJob", std::string("{") + kJob + R"(,"ExecutionProperty":{"MaxConcurrentRuns":0}})",
       "1 validation error detected: Value '0' at 'maxConcurrentRuns' failed to satisfy "
       "constraint: Member must have value greater than or equal to 1"},
      {"UpdateJob", R"({"JobName":"j","JobUpdate":5})", "JobUpdate must be a structure"},
      {"UpdateJob", R"({"JobName":"j","JobUpdate":{"Role":5}})", "Member Role must be a string"},
      {"GetJobs", R"({"NextToken":"zz"})", "Invalid pagination token"},
      {"GetJobs", R"({"MaxResults":1001})",
       "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: "
       "Member must have value less than or equal to 1000"},
      {"BatchGetJobs", R"({"JobNames":"x"})", "JobNames must be a list"},
      {"BatchGetJobs", R"({"JobNames":["a",1]})", "JobNames must hold strings"},
      {"BatchStopJobRun", R"({"JobName":"j","JobRunIds":[]})",
       "1 validation error detected: Value at 'jobRunIds' failed to satisfy constraint: Member "
       "must have length between 1 and 25"},
      {"BatchStopJobRun", R"({"JobName":"j","JobRunIds":["jr_1",2]})",
       "JobRunIds must hold strings"},
      {"UntagResource", R"({"ResourceArn":"a","TagsToRemove":{}})", "TagsToRemove must be a list"},
      {"CreateSecurityConfiguration", R"({"Name":"s","EncryptionConfiguration":[]})",
       "EncryptionConfiguration must be a structure"},
      {"PutDataCatalogEncryptionSettings",
       R"({"DataCatalogEncryptionSettings":{"EncryptionAtRest":5}})",
       "1 validation error detected: Value null at 'catalogEncryptionMode' failed to satisfy "
       "constraint: Member must not be null"},
      {"PutDataCatalogEncryptionSettings",
       R"({"DataCatalogEncryptionSettings":{"ConnectionPasswordEncryption":)"
       R"({"ReturnConnectionPasswordEncrypted":"yes"}}})",
       "ReturnConnectionPasswordEncrypted must be a boolean"},
      {"PutDataCatalogEncryptionSettings",
       R"({"DataCatalogEncryptionSettings":{"EncryptionAtRest":)"
       R"({"CatalogEncryptionMode":"SSE-KMS-WITH-SERVICE-ROLE"}}})",
       "CatalogEncryptionServiceRole is required when CatalogEncryptionMode is "
       "SSE-KMS-WITH-SERVICE-ROLE"},
      {"CreateTable", R"({"DatabaseName":"d","TableInput":{"Name":"t","StorageDescriptor":1}})",
       "Member StorageDescriptor must be a structure"},
      {"CreatePartition", R"({"DatabaseName":"d","TableName":"t","PartitionInput":{"Values":"a"}})",
       "Values must be a list of strings"},
      {"CreateConnection", R"({"ConnectionInput":{"Name":"c"}})",
       "1 validation error detected: Value null at 'connectionType' failed to satisfy "
       "constraint: Member must not be null"},
  };
  for (const auto& c : kCases) {
    INFO(c.operation << " " << c.body);
    auto r = Read(c.operation, c.body);
    REQUIRE(!r.ok());
    CHECK(KindOf(r.status()) == ErrorKind::kInvalidInput);
    CHECK(r.status().message() == c.message);
  }
}

TEST_CASE("a good request becomes its typed input", "[glue][readers]") {
  auto r =
      Read("CreateJob",
           R"({"Name":"j","Role":"r","Command":{"Name":"pythonshell","ScriptLocation":"s3://b/k"},)"
           R"("Timeout":5,"Tags":{"z":"1","a":"2"},"Connections":{"Connections":["c"]}})");
  REQUIRE(r.ok());
  const auto& in = std::get<CreateJobInput>(*r);
  CHECK(in.name == "j");
  CHECK(in.job.role == "r");
  REQUIRE(in.job.command);
  CHECK(in.job.command->name == "pythonshell");
  CHECK(in.job.command->script_location == "s3://b/k");
  CHECK(in.job.timeout == 5);
  // Tags keep the request's order; members Glue does not constrain travel in `json`.
  REQUIRE(in.tags);
  CHECK(*in.tags == StringPairs{{"z", "1"}, {"a", "2"}});
  CHECK(in.job.json.find(R"("Connections":{"Connections":["c"]})") != std::string::npos);

  auto page = Read("GetJobs", R"({"MaxResults":5,"NextToken":"6a31"})");
  REQUIRE(page.ok());
  CHECK(std::get<GetJobsInput>(*page).page.max_results == 5);
  CHECK(std::get<GetJobsInput>(*page).page.after == "j1");

  // HidePassword is true only when it is the boolean true; anything else is ignored.
  auto conn = Read("GetConnection", R"({"Name":"c","HidePassword":"yes"})");
  REQUIRE(conn.ok());
  CHECK_FALSE(std::get<GetConnectionInput>(*conn).hide_password);
}

TEST_CASE("BatchCreatePartition entries fail one by one", "[glue][readers]") {
  auto r =
      Read("BatchCreatePartition", R"({"DatabaseName":"d","TableName":"t","PartitionInputList":)"
                                   R"([null,{"Values":["a","b"]},5,{"Values":"x"}]})");
  REQUIRE(r.ok());
  const auto& list = std::get<BatchCreatePartitionInput>(*r).partition_input_list;
  REQUIRE(list.size() == 4);
  CHECK(list[0].error.message() ==
        "1 validation error detected: Value null at 'partitionInput' failed to satisfy "
        "constraint: Member must not be null");
  CHECK(list[1].error.ok());
  CHECK(list[1].partition.values == std::vector<std::string>{"a", "b"});
  CHECK(list[1].values_json == R"(["a","b"])");
  CHECK(list[2].error.message() == "PartitionInput must be a structure");
  CHECK(list[3].error.message() == "Values must be a list of strings");
  CHECK(list[3].values_json == R"("x")");
  CHECK(KindOf(list[3].error) == ErrorKind::kInvalidInput);

  auto too_many = Read("BatchCreatePartition",
                       R"({"DatabaseName":"d","TableName":"t","PartitionInputList":{}})");
  REQUIRE(!too_many.ok());
  CHECK(too_many.status().message() ==
        "PartitionInputList must be a list of at most 100 partitions");
}

TEST_CASE("every operation has a reader", "[glue][readers]") {
  for (const char* op : {"CreateJob",
                         "UpdateJob",
                         "GetJob",
                         "GetJobs",
                         "ListJobs",
                         "BatchGetJobs",
                         "DeleteJob",
                         "TagResource",
                         "UntagResource",
                         "GetTags",
                         "CreateSecurityConfiguration",
                         "GetSecurityConfiguration",
                         "GetSecurityConfigurations",
                         "DeleteSecurityConfiguration",
                         "StartJobRun",
                         "GetJobRun",
                         "GetJobRuns",
                         "BatchStopJobRun",
                         "PutDataCatalogEncryptionSettings",
                         "GetDataCatalogEncryptionSettings",
                         "CreateDatabase",
                         "GetDatabase",
                         "GetDatabases",
                         "UpdateDatabase",
                         "DeleteDatabase",
                         "CreateTable",
                         "GetTable",
                         "GetTables",
                         "UpdateTable",
                         "DeleteTable",
                         "CreatePartition",
                         "BatchCreatePartition",
                         "GetPartition",
                         "GetPartitions",
                         "CreateConnection",
                         "GetConnection",
                         "GetConnections",
                         "DeleteConnection"}) {
    INFO(op);
    CHECK(FindInputReader(op) != nullptr);
  }
  CHECK(FindInputReader("NoSuchOp") == nullptr);
}

TEST_CASE("JsonInput's default style is unchanged by Glue's", "[glue][readers]") {
  // The awsJson1_1 default (KMS): wrong types are SerializationException, every broken
  // constraint is listed, long values elided.
  auto in = JsonInput::Parse(R"({"A":"","B":")" + std::string(300, 'x') + R"("})");
  REQUIRE(in.ok());
  (void)in->String("A", true, 1, 10);
  (void)in->String("B", true, 1, 10);
  Status st = in->Finish();
  REQUIRE(!st.ok());
  CHECK(st.detail() == kDetailValidation);
  CHECK(st.message().rfind("2 validation errors detected: Value '' at 'a'", 0) == 0);
  CHECK(st.message().find(std::string(256, 'x') + "...'") != std::string::npos);

  auto typed = JsonInput::Parse(R"({"A":1})");
  REQUIRE(typed.ok());
  (void)typed->String("A", true);
  CHECK(typed->Finish().detail() == kDetailSerialization);
  CHECK(typed->Finish().message() == "Unexpected value type for member 'A': expected a string.");
}
