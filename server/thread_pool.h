// ElasticThreadPool: cpp-httplib's task queue, one task per open connection.
//
// cpp-httplib blocks a worker for a connection's whole life (keep-alive included), so a fixed
// pool of N silently stalls connection N+1 until another client hangs up. This pool starts
// `min_threads` workers, adds one whenever a task arrives and none is idle (up to
// `max_threads`), and lets surplus workers exit after `idle_timeout` without work. Past
// `max_threads` tasks queue, as before.
//
// Thread safety: all methods may be called concurrently; shutdown() runs queued tasks to the
// end and joins every worker.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace sealstack::server {

class ElasticThreadPool : public httplib::TaskQueue {
 public:
  ElasticThreadPool(size_t min_threads, size_t max_threads, std::chrono::milliseconds idle_timeout);
  ~ElasticThreadPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  size_t thread_count() const;

 private:
  void Worker(uint64_t id);
  void StartWorkerLocked();  // REQUIRES: mu_ held
  void JoinFinishedLocked(std::unique_lock<std::mutex>& lock);

  const size_t min_threads_;
  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> jobs_;   // GUARDED_BY(mu_)
  std::map<uint64_t, std::thread> threads_;  // GUARDED_BY(mu_)
  std::vector<uint64_t> finished_;           // exited workers to join; GUARDED_BY(mu_)
  size_t idle_ = 0;                          // GUARDED_BY(mu_)
  uint64_t next_id_ = 0;                     // GUARDED_BY(mu_)
  bool shutdown_ = false;                    // GUARDED_BY(mu_)
};

}  // namespace sealstack::server
