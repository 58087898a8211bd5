// KeyIndexedMap: rows that belong to a key (aliases, grants) by their own id, with a second
// index by key id, so the rows of one key (kms:ResourceAliases, the grants an authorization
// considers, a deleted key's aliases and grants) are found without scanning every row.
//
// Row must have a `std::string key_id` member. Listing order is the row id's order, as a
// std::map gives it.
//
// Thread safety: none of its own; kms::Service guards its maps with its mutex.
#pragma once

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace sealstack::api::kms {

template <typename Row>
class KeyIndexedMap {
 public:
  // nullptr when no row has this id.
  const Row* Find(const std::string& id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? nullptr : &it->second;
  }
  bool Contains(const std::string& id) const { return rows_.count(id) > 0; }

  // Inserts or replaces the row `id`, re-indexing it if it now belongs to another key.
  void Put(const std::string& id, Row row) {
    auto it = rows_.find(id);
    if (it != rows_.end()) Unindex(id, it->second.key_id);
    by_key_[row.key_id].insert(id);
    rows_[id] = std::move(row);
  }
  void Erase(const std::string& id) {
    auto it = rows_.find(id);
    if (it == rows_.end()) return;
    Unindex(id, it->second.key_id);
    rows_.erase(it);
  }
  // Erases every row of the key.
  void EraseKey(const std::string& key_id) {
    auto ids = by_key_.find(key_id);
    if (ids == by_key_.end()) return;
    for (const auto& id : ids->second) rows_.erase(id);
    by_key_.erase(ids);
  }
  void Clear() {
    rows_.clear();
    by_key_.clear();
  }

  // The rows of one key, in id order.
  std::vector<const Row*> OfKey(const std::string& key_id) const {
    std::vector<const Row*> out;
    auto ids = by_key_.find(key_id);
    if (ids == by_key_.end()) return out;
    for (const auto& id : ids->second) out.push_back(&rows_.at(id));
    return out;
  }
  // Every row, by id (for lookups by other fields: account, retiring principal, token).
  const std::map<std::string, Row>& rows() const { return rows_; }

 private:
  void Unindex(const std::string& id, const std::string& key_id) {
    auto ids = by_key_.find(key_id);
    if (ids == by_key_.end()) return;
    ids->second.erase(id);
    if (ids->second.empty()) by_key_.erase(ids);
  }

  std::map<std::string, Row> rows_;
  std::unordered_map<std::string, std::set<std::string>> by_key_;
};

}  // namespace sealstack::api::kms
