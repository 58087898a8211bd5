// Readers: a Glue request's JSON -> its typed input (glue_types.h), through api/common/json_input.
//
// Glue reports the first thing wrong with a request, as InvalidInputException, in AWS's validation
// wording ("1 validation error detected: Value null at 'jobName' failed to satisfy constraint:
// Member must not be null") or its own ("Member Timeout must be an integer"): the readers read
// members in the order Glue checks them. They check shapes, lengths and enums only; what needs
// state (a job, a table, a role, the caller's catalog) is glue::Service's.
//
// Thread safety: stateless functions.
#pragma once

#include <optional>
#include <string_view>

#include "api/common/json_input.h"
#include "api/glue/glue_types.h"
#include "common/result.h"

namespace sealstack::api::glue {

// How Glue words input errors (JsonInputStyle): the first error, values echoed whole, wrong types
// as validation errors.
JsonInputStyle GlueInputStyle();

// The reader of `operation` ("CreateJob"); nullptr when Glue has no such operation here.
// `request` is the request body, read with GlueInputStyle().
using InputReader = Result<Input> (*)(JsonInput& request);
InputReader FindInputReader(std::string_view operation);

// The JsonInput's first error as InvalidInputException (OK when there is none).
Status GlueInputStatus(const JsonInput& in);

// Parts the seed document shares (glue_seed.cpp). Each records what is wrong in `in`'s error list
// (GlueInputStatus reports it) and returns nullopt when the value is unusable.
// An EncryptionConfiguration (CreateSecurityConfiguration's member): `in` is the value itself.
std::optional<EncryptionConfiguration> ReadEncryptionConfiguration(JsonInput& in);
// A DataCatalogEncryptionSettings (PutDataCatalogEncryptionSettings' member), the value itself.
std::optional<DataCatalogEncryptionSettings> ReadDataCatalogEncryptionSettings(JsonInput& in);

}  // namespace sealstack::api::glue
