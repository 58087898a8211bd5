// What a crawler infers from one S3 object, and how the objects of one table combine. Pure
// functions over the object's text; no I/O.
//
//   JSON lines (the first non-blank character is '{'): each line an object; columns in order of
//     first appearance; integer -> bigint, other numbers -> double, true/false -> boolean,
//     strings, objects and arrays -> string.
//   CSV (anything else with a ',' '\t' '|' or ';' in its first line, that character being the
//     delimiter): the first row is the header (its cells name the columns); a column whose
//     non-empty cells are all integers is bigint, all numbers double, all true/false boolean,
//     else string. Double quotes group a cell ("" is a quote).
// Merging two schemas of one classification keeps every column; a column typed differently
// becomes double (bigint with double) or string.
//
// Thread safety: stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealstack::api::glue {

struct CrawledColumn {
  std::string name;
  std::string type;  // bigint, double, boolean, string
};

struct CrawledSchema {
  std::string classification;  // "csv" or "json"
  char delimiter = ',';        // csv
  std::vector<CrawledColumn> columns;
};

// nullopt: not a format the crawler knows (an empty object, a single-column text file, ...).
std::optional<CrawledSchema> InferSchema(std::string_view body);

// nullopt when the two cannot be one table (different classification or delimiter).
std::optional<CrawledSchema> MergeSchemas(const CrawledSchema& a, const CrawledSchema& b);

}  // namespace sealstack::api::glue
