// ElasticThreadPool: the HTTP layer's workers, one task per open connection.
//
// A connection holds its worker for its whole life (keep-alive included), so a fixed
// pool of N silently stalls connection N+1 until another client hangs up. This pool starts
// `min_threads` workers, adds one whenever a task arrives and none is idle (up to
// `max_threads`), and lets surplus workers exit after `idle_timeout` without work. Past
// `max_threads` tasks queue, as before.
//
// Thread safety: all methods may be called concurrently; shutdown() runs queued tasks to the
// end and joins every worker.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "common/mutex.h"

namespace sealstack::server {

class ElasticThreadPool {
 public:
  ElasticThreadPool(size_t min_threads, size_t max_threads, std::chrono::milliseconds idle_timeout);
  ~ElasticThreadPool();
  ElasticThreadPool(const ElasticThreadPool&) = delete;
  ElasticThreadPool& operator=(const ElasticThreadPool&) = delete;

  void enqueue(std::function<void()> fn) EXCLUDES(mu_);
  // Runs the queued tasks to the end and joins every worker.
  void shutdown() EXCLUDES(mu_);

  size_t thread_count() const EXCLUDES(mu_);

 private:
  void Worker(uint64_t id) EXCLUDES(mu_);
  void StartWorkerLocked() REQUIRES(mu_);
  // Joins the workers that exited; releases mu_ while it joins.
  void JoinFinishedLocked() REQUIRES(mu_);

  const size_t min_threads_;
  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;

  mutable Mutex mu_;
  CondVar work_cv_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  std::map<uint64_t, std::thread> threads_ GUARDED_BY(mu_);
  std::vector<uint64_t> finished_ GUARDED_BY(mu_);  // exited workers to join
  size_t idle_ GUARDED_BY(mu_) = 0;
  uint64_t next_id_ GUARDED_BY(mu_) = 0;
  bool shutdown_ GUARDED_BY(mu_) = false;
};

}  // namespace sealstack::server
