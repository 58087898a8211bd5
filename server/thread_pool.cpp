#include "server/thread_pool.h"

namespace sealstack::server {

ElasticThreadPool::ElasticThreadPool(size_t min_threads, size_t max_threads,
                                     std::chrono::milliseconds idle_timeout)
    : min_threads_(std::max<size_t>(1, min_threads)),
      max_threads_(std::max(max_threads, std::max<size_t>(1, min_threads))),
      idle_timeout_(idle_timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < min_threads_; ++i) StartWorkerLocked();
}

ElasticThreadPool::~ElasticThreadPool() {
  shutdown();
}

void ElasticThreadPool::StartWorkerLocked() {
  const uint64_t id = next_id_++;
  threads_.emplace(id, std::thread([this, id] { Worker(id); }));
}

void ElasticThreadPool::JoinFinishedLocked(std::unique_lock<std::mutex>& lock) {
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
    lock.unlock();
    for (auto& t : to_join) t.join();
    lock.lock();
  }
}

void ElasticThreadPool::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mu_);
  JoinFinishedLocked(lock);
  jobs_.push_back(std::move(fn));
  // Every queued job beyond the idle workers needs a thread of its own (connections block).
  if (jobs_.size() > idle_ && threads_.size() < max_threads_ && !shutdown_) {
    StartWorkerLocked();
  }
  work_cv_.notify_one();
}

void ElasticThreadPool::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  if (shutdown_ && threads_.empty()) return;
  shutdown_ = true;
  work_cv_.notify_all();
  std::vector<std::thread> all;
  for (auto& [id, t] : threads_) all.push_back(std::move(t));
  threads_.clear();
  finished_.clear();
  lock.unlock();
  for (auto& t : all) t.join();
}

size_t ElasticThreadPool::thread_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_.size() - finished_.size();
}

void ElasticThreadPool::Worker(uint64_t id) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ++idle_;
    bool timed_out =
        !work_cv_.wait_for(lock, idle_timeout_, [this] { return shutdown_ || !jobs_.empty(); });
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
    lock.unlock();
    job();
    job = nullptr;  // release captured state outside the lock
    lock.lock();
  }
}

}  // namespace sealstack::server
