// Shared internals of api/glue's operation files (not part of the public surface).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "api/glue/glue_json.h"
#include "api/glue/glue_service.h"
#include "storage/glue_repo.h"

namespace sealstack::api::glue {

inline std::string Account(const Caller& c) {
  return c.principal->account;
}

inline storage::GlueKey Key(const Caller& c, std::string kind, std::string name,
                            std::string parent = "") {
  return {Account(c), c.region, std::move(kind), std::move(parent), std::move(name)};
}

inline std::string GlueArn(const Caller& c, const std::string& suffix) {
  return "arn:aws:glue:" + c.region + ":" + Account(c) + ":" + suffix;
}

// The configured role a job names (role name in the caller's account, or role ARN).
// InvalidInputException when it is not a configured role.
Result<std::shared_ptr<const auth::Principal>> ResolveRole(const auth::PrincipalStore& store,
                                                           const std::string& account,
                                                           const std::string& role);

// Joins and drops the threads whose task (a job run, a crawl) says it is `done`.
template <typename Task>
void JoinEnded(std::vector<std::pair<std::shared_ptr<Task>, std::thread>>& threads) {
  for (auto it = threads.begin(); it != threads.end();) {
    if (it->first->done) {
      it->second.join();
      it = threads.erase(it);
    } else {
      ++it;
    }
  }
}

// A CatalogId other than the caller's account is another account's catalog: AccessDenied
// (glue_catalog.cpp).
Status CheckCatalogId(const Caller& c, const std::optional<std::string>& id);

// Catalog names are stored lower-cased (glue_catalog.cpp).
std::string Lowered(std::string s);

// {"<member>":[doc,...],"NextToken":...} from a page of opened documents (glue_catalog.cpp).
std::string RenderPage(const char* member, const std::vector<std::string>& docs,
                       const std::string& next_token);

// The stored text of `key`; nullopt when there is none (glue_catalog.cpp).
Result<std::optional<std::string>> RawGet(storage::Database& db, const storage::GlueKey& key);

// The stored document of job `name` under `key`: EntityNotFoundException "Job with name: <name>
// not found." when there is none (glue_jobs.cpp).
Result<json::Document> LoadJob(const storage::GlueKey& key, storage::Database& db,
                               const std::string& name);

// A List* answer, {"<member>":[names...],"NextToken":...}: the names of the caller's entities of
// `kind` whose "Tags" hold every pair of `want` (all when nullopt) (glue_jobs.cpp).
Result<std::string> ListTaggedNames(const Caller& c, storage::Database& db, const std::string& kind,
                                    const char* member, const PageRequest& page,
                                    const std::optional<StringPairs>& want);

// A Get*s answer, {"<list>":[...],"NextToken":"..."}, from a page of stored documents read with
// limit + 1 rows: the first `limit` documents, each whole or (member not null) its `member`,
// and, when there are more, the token of the last one listed, made of next_key(row)
// (glue_jobs.cpp).
Result<std::string> PageJson(std::string_view list, const char* member,
                             const std::vector<storage::GlueRow>& rows, size_t limit,
                             const std::function<std::string(const storage::GlueRow&)>& next_key);

}  // namespace sealstack::api::glue
