#include "server/thread_pool.h"

namespace sealstack::server {

ElasticThreadPool::ElasticThreadPool(size_t min_threads, size_t max_threads,
                                     std::chrono::milliseconds idle_timeout)
    : min_threads_(std::max<size_t>(1, min_threads)),
      max_threads_(std::max(max_threads, std::max<size_t>(1, min_threads))),
      idle_timeout_(idle_timeout) {
  MutexLock lock(mu_);
  for (size_t i = 0; i < min_threads_; ++i) StartWorkerLocked();
}

ElasticThreadPool::~ElasticThreadPool() {
  shutdown();
}

void ElasticThreadPool::StartWorkerLocked() {
  const uint64_t id = next_id_++;
  threads_.emplace(id, std::thread([this, id] { Worker(id); }));
}

void ElasticThreadPool::JoinFinishedLocked() {
  while (!finished_.empty()) {
    std::vector<std::thread> to_join;
    for (uint64_t id : finished_) {
      auto it = threads_.find(id);
      if (it != threads_.end()) {
        to_join.push_back(std::move(it->second));
        threads_.erase(it);
      }
    }
    finished_.clear();
    mu_.Unlock();
    for (auto& t : to_join) t.join();
    mu_.Lock();
  }
}

void ElasticThreadPool::enqueue(std::function<void()> fn) {
  MutexLock lock(mu_);
  JoinFinishedLocked();
  jobs_.push_back(std::move(fn));
  // Every queued job beyond the idle workers needs a thread of its own (connections block).
  if (jobs_.size() > idle_ && threads_.size() < max_threads_ && !shutdown_) {
    StartWorkerLocked();
  }
  work_cv_.Signal();
}

void ElasticThreadPool::shutdown() {
  MutexLock lock(mu_);
  if (shutdown_ && threads_.empty()) return;
  shutdown_ = true;
  work_cv_.SignalAll();
  std::vector<std::thread> all;
  for (auto& [id, t] : threads_) all.push_back(std::move(t));
  threads_.clear();
  finished_.clear();
  lock.Unlock();
  for (auto& t : all) t.join();
}

size_t ElasticThreadPool::thread_count() const {
  MutexLock lock(mu_);
  return threads_.size() - finished_.size();
}

void ElasticThreadPool::Worker(uint64_t id) {
  MutexLock lock(mu_);
  while (true) {
    ++idle_;
    const auto deadline = std::chrono::steady_clock::now() + idle_timeout_;
    bool timed_out = false;
    while (!shutdown_ && jobs_.empty() && !timed_out)
      timed_out = !work_cv_.WaitUntil(lock, deadline);
    --idle_;
    if (jobs_.empty()) {
      if (shutdown_) return;
      if (timed_out && threads_.size() - finished_.size() > min_threads_) {
        finished_.push_back(id);  // joined by the next enqueue() or by shutdown()
        return;
      }
      continue;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.Unlock();
    job();
    job = nullptr;  // release captured state outside the lock
    lock.Lock();
  }
}

}  // namespace sealstack::server
