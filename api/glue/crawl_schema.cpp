#include "api/glue/crawl_schema.h"

#include <rapidjson/document.h>

#include <cstdlib>

namespace sealstack::api::glue {

namespace {

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::vector<std::string_view> Lines(std::string_view body) {
  std::vector<std::string_view> out;
  while (!body.empty()) {
    const size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  return out;
}

std::vector<std::string> Cells(std::string_view line, char delim) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delim) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string CellType(std::string_view v) {
  if (v == "true" || v == "false" || v == "TRUE" || v == "FALSE") return "boolean";
  const std::string s(v);
  char* end = nullptr;
  (void)std::strtoll(s.c_str(), &end, 10);
  if (end == s.c_str() + s.size()) return "bigint";
  (void)std::strtod(s.c_str(), &end);
  if (end == s.c_str() + s.size()) return "double";
  return "string";
}

// The wider of two column types ("" = no value seen yet).
std::string Widen(const std::string& a, const std::string& b) {
  if (a.empty() || a == b) return b;
  if (b.empty()) return a;
  if ((a == "bigint" && b == "double") || (a == "double" && b == "bigint")) return "double";
  return "string";
}

void AddColumn(std::vector<CrawledColumn>& cols, const std::string& name, const std::string& type) {
  for (auto& c : cols) {
    if (c.name == name) {
      c.type = Widen(c.type, type);
      return;
    }
  }
  cols.push_back({name, type});
}

std::string LowerName(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::optional<CrawledSchema> InferJsonLines(const std::vector<std::string_view>& lines) {
  CrawledSchema out;
  out.classification = "json";
  for (std::string_view line : lines) {
    line = Trimmed(line);
    if (line.empty()) continue;
    rapidjson::Document d;
    d.Parse(line.data(), line.size());
    if (d.HasParseError() || !d.IsObject()) return std::nullopt;
    for (const auto& m : d.GetObject()) {
      const rapidjson::Value& v = m.value;
      std::string type = v.IsBool()                    ? "boolean"
                         : v.IsInt64() || v.IsUint64() ? "bigint"
                         : v.IsNumber()                ? "double"
                         : v.IsNull()                  ? ""
                                                       : "string";
      AddColumn(out.columns, LowerName(m.name.GetString()), type);
    }
  }
  for (auto& c : out.columns) {
    if (c.type.empty()) c.type = "string";
  }
  if (out.columns.empty()) return std::nullopt;
  return out;
}

std::optional<CrawledSchema> InferCsv(const std::vector<std::string_view>& lines) {
  const std::string_view header = lines.front();
  char delim = 0;
  for (char d : {',', '\t', '|', ';'}) {
    if (header.find(d) != std::string_view::npos) {
      delim = d;
      break;
    }
  }
  if (delim == 0) return std::nullopt;
  CrawledSchema out;
  out.classification = "csv";
  out.delimiter = delim;
  const std::vector<std::string> names = Cells(header, delim);
  std::vector<std::string> types(names.size());
  for (size_t i = 1; i < lines.size(); ++i) {
    if (Trimmed(lines[i]).empty()) continue;
    const std::vector<std::string> cells = Cells(lines[i], delim);
    for (size_t c = 0; c < cells.size() && c < types.size(); ++c) {
      const std::string_view cell = Trimmed(cells[c]);
      if (!cell.empty()) types[c] = Widen(types[c], CellType(cell));
    }
  }
  for (size_t c = 0; c < names.size(); ++c) {
    std::string name = LowerName(std::string(Trimmed(names[c])));
    if (name.empty()) name = "col" + std::to_string(c);
    out.columns.push_back({std::move(name), types[c].empty() ? "string" : types[c]});
  }
  return out;
}

}  // namespace

std::optional<CrawledSchema> InferSchema(std::string_view body) {
  std::vector<std::string_view> lines = Lines(body);
  while (!lines.empty() && Trimmed(lines.front()).empty()) lines.erase(lines.begin());
  if (lines.empty()) return std::nullopt;
  if (Trimmed(lines.front()).front() == '{') return InferJsonLines(lines);
  return InferCsv(lines);
}

std::optional<CrawledSchema> MergeSchemas(const CrawledSchema& a, const CrawledSchema& b) {
  if (a.classification != b.classification || a.delimiter != b.delimiter) return std::nullopt;
  CrawledSchema out = a;
  for (const auto& c : b.columns) AddColumn(out.columns, c.name, c.type);
  return out;
}

}  // namespace sealstack::api::glue
